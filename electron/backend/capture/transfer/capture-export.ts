/**
 * Exporting the shown capture as pcap or pcapng: the file is written in the backend (with the
 * owning process as each pcapng packet's comment), then the renderer reads it in chunks and
 * ends the export, which deletes it. Only the newest few exports are kept meanwhile.
 */
import { randomUUID } from 'node:crypto'
import { open, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { EXPORT_CHUNK_BYTES } from '../../../../shared/contract/capture'
import type { ExportChunk, ExportTicket, TransferProgress } from '../../../../shared/model/capture-transfer'
import { RequestError } from '../../../../shared/contract/envelope'
import { CaptureWriteError } from '../files/capture-file-error'
import { CaptureFileWriter, createCaptureEncoder } from '../files/capture-file-writer'
import { PACKETS_PER_SLICE } from '../store/packet-store'
import type { ShownCapture } from '../store/shown-capture'
import type { TemporaryFolder } from '../../storage/private-folder'
import { createNewFile } from '../../storage/safe-open'
import { elementAt } from '../../../../shared/element-at'

/** Exports kept for reading; older ones are deleted. */
const MAX_EXPORTS = 4
/** Fewest milliseconds between two progress events. */
const PROGRESS_INTERVAL_MS = 250

/** What to export. */
export interface ExportRequest {
  readonly format: 'pcapng' | 'pcap'
  /** The packets to write, in order; null for every packet. */
  readonly indexes: Uint32Array | null
  /** Names the chosen packets in the file name: `all`, `filtered`, `conversation-3`. */
  readonly scopeName: string
}

interface ExportFile {
  readonly path: string
  readonly ticket: ExportTicket
}

/** The export files of a backend, in its private temporary folder. */
export class CaptureExports {
  private readonly files = new Map<string, ExportFile>()

  constructor(
    private readonly folder: TemporaryFolder,
    private readonly onProgress: (progress: TransferProgress) => void
  ) {}

  /** Writes the chosen packets of `capture` to a new file; 'unsupported' when the format cannot hold them. */
  async write(capture: ShownCapture, { format, indexes, scopeName }: ExportRequest): Promise<ExportTicket> {
    const total = indexes === null ? capture.store.count : indexes.length
    const exportId = randomUUID()
    const path = join(await this.folder.path(), `export-${exportId}.${format}`)
    let writer: CaptureFileWriter
    try {
      writer = await CaptureFileWriter.create(path, createCaptureEncoder({ format, interfaces: [...capture.interfaces] }), createNewFile)
    } catch (error) {
      await rm(path, { force: true })
      throw asRequestError(error)
    }
    let lastProgressAt = 0
    try {
      for (let start = 0; start < total; start += PACKETS_PER_SLICE) {
        const end = Math.min(total, start + PACKETS_PER_SLICE)
        const slice = indexes?.subarray(start, end) ?? null
        const packets = slice === null ? await capture.store.packetRange(start, end) : await capture.store.packetsAt(slice)
        for (let offset = 0; offset < packets.length; offset++) {
          const packet = elementAt(packets, offset)
          const index = slice === null ? start + offset : elementAt(slice, offset)
          const comment = format === 'pcapng' && !packet.comment ? capture.owner(capture.store.flowOf(index))?.comment : undefined
          await writer.writePacket(comment === undefined ? packet : { ...packet, comment })
        }
        if (Date.now() - lastProgressAt > PROGRESS_INTERVAL_MS || end === total) {
          lastProgressAt = Date.now()
          this.onProgress({ id: exportId, phase: 'writing', done: end, total })
        }
      }
      await writer.close()
    } catch (error) {
      await writer.close().catch(() => undefined)
      await rm(path, { force: true })
      throw asRequestError(error)
    }
    const size = (await stat(path)).size
    const base = capture.label.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/\.(pcapng|pcap|cap)$/i, '') || 'capture'
    const ticket: ExportTicket = { exportId, fileName: `${base}-${scopeName}.${format}`, packets: total, totalBytes: size }
    this.files.set(exportId, { path, ticket })
    for (const [oldId, file] of this.files) {
      if (this.files.size <= MAX_EXPORTS) break
      this.files.delete(oldId)
      await rm(file.path, { force: true })
    }
    return ticket
  }

  /** The bytes of an export from `offset` on, at most EXPORT_CHUNK_BYTES of them. */
  async chunk(exportId: string, offset: number): Promise<ExportChunk> {
    const file = this.files.get(exportId)
    if (!file) throw new RequestError('not-found', `no export ${exportId}; it was ended or replaced`)
    const size = file.ticket.totalBytes
    if (offset > size) throw new RequestError('invalid-arguments', `offset ${offset} is past the end (${size} bytes)`)
    const length = Math.min(EXPORT_CHUNK_BYTES, size - offset)
    const buffer = Buffer.alloc(length)
    const handle = await open(file.path, 'r')
    try {
      const { bytesRead } = await handle.read(buffer, 0, length, offset)
      return { offset, data: buffer.subarray(0, bytesRead).toString('base64'), done: offset + bytesRead >= size }
    } finally {
      await handle.close()
    }
  }

  /** Deletes an export's file; false when there was no such export. */
  async end(exportId: string): Promise<boolean> {
    const file = this.files.get(exportId)
    if (!file) return false
    this.files.delete(exportId)
    await rm(file.path, { force: true })
    return true
  }

  /** Deletes every export file. */
  async dispose(): Promise<void> {
    for (const file of this.files.values()) await rm(file.path, { force: true })
    this.files.clear()
  }
}

/** A format that cannot hold the packets (pcap with several link types) is the client's choice to change. */
function asRequestError(error: unknown): unknown {
  return error instanceof CaptureWriteError ? new RequestError('unsupported', error.message) : error
}
