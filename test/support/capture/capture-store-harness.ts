/**
 * What the capture store tests share: a real backend in a private temporary folder, the
 * renderer's client wired straight to it (with a log of requests and answers that can be held
 * back), and capture files to import.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createPinia, setActivePinia } from 'pinia'
import { createBackend, type Backend } from '../../../electron/backend/backend'
import { CaptureFileWriter, createCaptureEncoder } from '../../../electron/backend/capture/files/capture-file-writer'
import { setBackendClient } from '../../../renderer/src/transport'
import type { BackendClient } from '../../../renderer/src/transport/backend-client'
import { useCaptureStore } from '../../../renderer/src/stores/capture'
import { useCapturePacketsStore } from '../../../renderer/src/stores/capture-packets'
import { useCapturePanelsStore } from '../../../renderer/src/stores/capture-panels'
import { useCaptureTransferStore } from '../../../renderer/src/stores/capture-transfer'
import { ethernetFrame, ipv4Packet, udpDatagram } from './packet-builder'
import { createInProcessClient } from '../in-process-client'

/** tcpdump's capture of a few loopback TCP and UDP exchanges: 75 packets. */
export const loopbackFixture = resolve(__dirname, '../../fixtures/capture/loopback.pcapng')

/** Answers held back by {@link CaptureStoreHarness.holdAnswers}. */
export interface HeldAnswers {
  /** Answers computed and waiting. */
  waiting(): number
  /** Lets every waiting answer go, newest first, and stops holding. */
  release(): void
}

/** A backend for one test, the requests the stores made, and a way to hold answers back. */
export interface CaptureStoreHarness {
  readonly backend: Backend
  readonly directory: string
  /** Channels requested, in order. */
  readonly requests: string[]
  /** When each request to `channel` was made (Date.now()), in order. */
  requestTimes(channel: string): number[]
  /** Hands `payload` to the stores' listeners for `event`, as if the backend had pushed it. */
  push(event: string, payload: unknown): void
  /**
   * Holds back the answers to `channel` until `release` is called, which lets them go newest
   * first (the order that shows whether a late answer is taken for a current one). Requests made
   * meanwhile reach the backend at once; only their answers wait.
   */
  holdAnswers(channel: string): HeldAnswers
  dispose(): Promise<void>
}

/** A fresh Pinia and a fresh backend in its own temporary folder, with the renderer's client wired to it. */
export async function captureStoreHarness(options: { readonly intervalMs?: number; readonly autoStart?: boolean } = {}): Promise<CaptureStoreHarness> {
  setActivePinia(createPinia())
  const directory = await mkdtemp(join(tmpdir(), 'sockscope-capture-store-'))
  const backend = createBackend({ autoStart: options.autoStart ?? false, intervalMs: options.intervalMs, resolveNames: false, dataDirectory: directory })
  const inner = createInProcessClient(backend)
  const requests: string[] = []
  const times: Array<{ readonly channel: string; readonly at: number }> = []
  const listeners = new Map<string, Array<(payload: unknown) => void>>()
  const held = new Map<string, Array<() => void>>()
  const client: BackendClient = {
    ...inner,
    subscribe(event, listener) {
      listeners.set(event, [...(listeners.get(event) ?? []), listener as (payload: unknown) => void])
      return inner.subscribe(event, listener)
    },
    async request(channel, args) {
      requests.push(channel)
      times.push({ channel, at: Date.now() })
      const answer = await inner.request(channel, args)
      const waiting = held.get(channel)
      if (waiting) await new Promise<void>((release) => waiting.push(release))
      return answer
    }
  }
  setBackendClient(client)
  return {
    backend,
    directory,
    requests,
    requestTimes: (channel) => times.filter((entry) => entry.channel === channel).map((entry) => entry.at),
    push(event, payload) {
      for (const listener of listeners.get(event) ?? []) listener(payload)
    },
    holdAnswers(channel) {
      const waiting: Array<() => void> = []
      held.set(channel, waiting)
      return {
        waiting: () => waiting.length,
        release() {
          held.delete(channel)
          for (const release of waiting.splice(0).reverse()) release()
        }
      }
    },
    async dispose() {
      // Their timers would otherwise reach the next test's backend through the shared client.
      for (const useStore of [useCapturePanelsStore, useCapturePacketsStore, useCaptureTransferStore, useCaptureStore]) useStore().$dispose()
      await backend.dispose()
      await rm(directory, { recursive: true, force: true })
    }
  }
}

/** Imports `bytes` as the user's file `name` through the transfer store. */
export async function importCapture(bytes: Uint8Array, name: string): Promise<void> {
  const transfer = useCaptureTransferStore()
  transfer.start()
  await transfer.importFile(new File([bytes as BlobPart], name))
}

/** The loopback fixture's bytes. */
export async function loopbackCapture(): Promise<Uint8Array> {
  return new Uint8Array(await readFile(loopbackFixture))
}

/** A pcapng of `count` loopback UDP packets to three source ports, written with the project's writer. */
export async function syntheticCapture(directory: string, count: number): Promise<Uint8Array> {
  const path = join(directory, `synthetic-${count}.pcapng`)
  const writer = await CaptureFileWriter.create(path, createCaptureEncoder({ format: 'pcapng', interfaces: [{ name: 'lo', linkType: 1, snaplen: 65535, timestampDecimals: 9 }] }))
  for (let index = 0; index < count; index++) {
    const payload = new Uint8Array(4)
    new DataView(payload.buffer).setUint32(0, index)
    const data = ethernetFrame(0x0800, ipv4Packet({ protocol: 17, destination: [127, 0, 0, 1], payload: udpDatagram(40_000 + (index % 3), 53, payload) }))
    await writer.writePacket({
      interfaceIndex: 0,
      timestampSeconds: 1_700_000_000 + Math.floor(index / 1000),
      timestampNanos: (index % 1000) * 1000,
      originalLength: data.length,
      data
    })
  }
  await writer.close()
  const bytes = new Uint8Array(await readFile(path))
  await rm(path)
  return bytes
}
