/**
 * Moving captures in and out of the backend: exporting the shown capture (all of it, the
 * filtered packets or one conversation) as pcapng or pcap, read back in chunks and handed to the
 * browser as a download, and importing a file the user picked, sent in chunks. One at a time.
 */
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { IMPORT_CHUNK_BYTES } from '../../../shared/contract/capture'
import type { TransferProgress } from '../../../shared/model/capture-transfer'
import { errorMessage } from '../../../shared/error-message'
import { base64ToBytes, bytesToBase64 } from '../base64'
import { saveBlob } from '../save-file'
import { backendClient } from '../transport'

/** An export or import under way. */
export interface TransferState {
  readonly kind: 'export' | 'import'
  readonly label: string
  readonly phase: string
  readonly done: number
  readonly total: number
}

/** What the last export saved. */
export interface ExportResult {
  readonly fileName: string
  readonly packets: number
  readonly bytes: number
}

/** Capture export and import. */
export const useCaptureTransferStore = defineStore('capture-transfer', () => {
  const transfer = ref<TransferState | null>(null)
  const transferError = ref<string | null>(null)
  const lastExport = shallowRef<ExportResult | null>(null)
  let started = false

  /** Follows the backend's progress while it writes an export. Safe to call more than once. */
  function start(): void {
    if (started) return
    started = true
    backendClient().subscribe('capture/transfer-progress', (progress) => applyProgress(progress))
  }

  function applyProgress(progress: TransferProgress): void {
    const current = transfer.value
    if (!current || progress.phase !== 'writing' || current.kind !== 'export') return
    transfer.value = { ...current, phase: 'writing', done: progress.done, total: progress.total }
  }

  /** Writes the chosen packets in the backend, fetches the file in chunks and hands it to the browser. */
  async function exportPackets(format: 'pcapng' | 'pcap', scope: 'all' | 'filtered' | 'conversation', conversationId?: string): Promise<void> {
    if (transfer.value) return
    transferError.value = null
    transfer.value = { kind: 'export', label: `Exporting ${format}`, phase: 'writing', done: 0, total: 0 }
    const client = backendClient()
    let exportId: string | null = null
    try {
      const ticket = await client.request('capture/export-begin', scope === 'conversation' ? { format, scope, conversationId } : { format, scope })
      exportId = ticket.exportId
      const parts: Uint8Array[] = []
      let offset = 0
      transfer.value = { kind: 'export', label: ticket.fileName, phase: 'downloading', done: 0, total: ticket.totalBytes }
      for (;;) {
        const chunk = await client.request('capture/export-chunk', { exportId, offset })
        const bytes = base64ToBytes(chunk.data)
        parts.push(bytes)
        offset += bytes.length
        transfer.value = { kind: 'export', label: ticket.fileName, phase: 'downloading', done: offset, total: ticket.totalBytes }
        if (chunk.done || bytes.length === 0) break
      }
      saveBlob(new Blob(parts as BlobPart[], { type: 'application/vnd.tcpdump.pcap' }), ticket.fileName)
      lastExport.value = { fileName: ticket.fileName, packets: ticket.packets, bytes: offset }
    } catch (error) {
      transferError.value = errorMessage(error)
    } finally {
      if (exportId !== null) void client.request('capture/export-end', { exportId }).catch(() => undefined)
      transfer.value = null
    }
  }

  /** Streams a user-picked file to the backend in chunks; the capture view then shows it. */
  async function importFile(file: File): Promise<void> {
    if (transfer.value) return
    transferError.value = null
    const client = backendClient()
    transfer.value = { kind: 'import', label: file.name, phase: 'uploading', done: 0, total: file.size }
    try {
      const begun = await client.request('capture/import-begin', { fileName: file.name.slice(0, 255) || 'capture', size: file.size })
      let offset = 0
      let progress = begun
      while (offset < file.size && progress.error === null) {
        const slice = new Uint8Array(await file.slice(offset, offset + IMPORT_CHUNK_BYTES).arrayBuffer())
        progress = await client.request('capture/import-chunk', { importId: begun.importId, offset, data: bytesToBase64(slice) })
        offset += slice.length
        transfer.value = { kind: 'import', label: file.name, phase: 'uploading', done: offset, total: file.size }
      }
      const final = await client.request('capture/import-end', { importId: begun.importId })
      if (final.error) transferError.value = final.error
    } catch (error) {
      transferError.value = errorMessage(error)
    } finally {
      transfer.value = null
    }
  }

  return { transfer, transferError, lastExport, start, exportPackets, importFile }
})
