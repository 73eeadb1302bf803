/**
 * The capture domain: serves `capture/*` and pushes one `capture/tick` per interval with the
 * counters, the newest decoded packets and per-process traffic. One capture runs at a time.
 */
import { join } from 'node:path'
import { RequestError } from '../../../shared/contract/envelope'
import type { CapturePacketPage, CaptureState, CaptureStatus } from '../../../shared/contract/capture'
import type { BackendContext, BackendModuleFactory } from '../backend-module'
import {
  CaptureError,
  compileCaptureFilter,
  listCaptureInterfaces,
  resolveCaptureHelperCommand,
  type CaptureHelperLaunchOptions
} from './capture-helper-process'
import { capturePermissionAdvice, formatCapturePermissionAdvice } from './capture-permissions'
import { CaptureSession } from './capture-session'
import { summarizePacket } from './decode/packet-decoder'
import { ProcessAttributor, attributePackets, packetTimeMs } from './process-attribution'
import { TrafficAccounting, rowFor } from './traffic-accounting'

/** A CaptureError as the failure a client can act on. */
export function captureRequestError(error: unknown): unknown {
  if (!(error instanceof CaptureError)) return error
  switch (error.code) {
    case 'bad-filter':
      return new RequestError('invalid-arguments', error.message)
    case 'permission-denied':
      return new RequestError('permission-denied', error.describe())
    case 'no-such-device':
      return new RequestError('not-found', error.message)
    default:
      return new RequestError('failed', error.message)
  }
}

/** Called with each capture a backend starts, before its first packet is handed out. */
export type CaptureStartListener = (session: CaptureSession) => void

const startListeners = new WeakMap<BackendContext, Set<CaptureStartListener>>()

/** Lets another domain of the same backend (the capture view) follow every capture it starts. */
export function onCaptureStarted(context: BackendContext, listener: CaptureStartListener): () => void {
  let listeners = startListeners.get(context)
  if (!listeners) {
    listeners = new Set()
    startListeners.set(context, listeners)
  }
  listeners.add(listener)
  return () => listeners.delete(listener)
}

/** Creates the capture domain; `helper` chooses how the capture helper runs (tests, packaging). */
export function createCaptureModule(helper: CaptureHelperLaunchOptions = {}): BackendModuleFactory {
  return (context) => {
    const attributor = new ProcessAttributor(context.sockets)
    let session: CaptureSession | null = null
    let state: CaptureState = 'idle'
    let pendingSettings: CaptureStatus['settings'] = null
    let pipeline: Promise<void> = Promise.resolve()

    const status = (): CaptureStatus => {
      if (session) return { ...session.status(), state }
      return { state, captureId: null, settings: pendingSettings, opened: null, counters: null, stats: null, end: null }
    }
    const setState = (next: CaptureState): void => {
      state = next
      context.emit('capture/status', status())
    }

    return {
      handlers: {
        'capture/interfaces': async () => {
          const interfaces = await listCaptureInterfaces(helper).catch((error: unknown) => {
            throw captureRequestError(error)
          })
          const captureAllowed = !interfaces.some((device) => device.openErrorCode === 'permission-denied')
          const advice = captureAllowed
            ? null
            : formatCapturePermissionAdvice(capturePermissionAdvice(process.platform, resolveCaptureHelperCommand(helper).runtimePath))
          return { interfaces, captureAllowed, advice }
        },

        'capture/check-filter': async ({ interface: name, filter }) => {
          try {
            const compiled = await compileCaptureFilter(name, filter, helper)
            return { ok: true, linkType: compiled.linkType }
          } catch (error) {
            if (error instanceof CaptureError && error.code === 'bad-filter') {
              return { ok: false, message: error.message }
            }
            throw captureRequestError(error)
          }
        },

        'capture/start': async (args) => {
          if (state === 'starting' || state === 'running' || state === 'stopping') {
            throw new RequestError('busy', 'a capture is already running; stop it first')
          }
          const previous = session
          session = null
          await previous?.dispose()
          pendingSettings = null
          setState('starting')
          let started: CaptureSession
          try {
            started = await CaptureSession.start({
              interface: args.interface,
              filter: args.filter,
              snaplen: args.snaplen,
              promiscuous: args.promiscuous,
              bufferSize: args.bufferSize,
              limits: args.limits ?? undefined,
              ring: args.ring,
              spillDirectory: join(context.options.dataDirectory, 'capture'),
              helper
            })
          } catch (error) {
            setState('idle')
            throw captureRequestError(error)
          }
          session = started
          for (const listener of startListeners.get(context) ?? []) listener(started)
          const accounting = new TrafficAccounting()
          const linkType = started.captureInterface.linkType
          let lastTickAt = Date.now()
          // Batches and ticks go through one chain, so a tick counts every batch before it even
          // when a batch waits for a fresh socket table read.
          started.on('packets', (items) => {
            pipeline = pipeline.then(async () => {
              const { summaries, owners } = await attributePackets(
                attributor,
                items.map((item) => item.packet),
                linkType
              )
              items.forEach((item, index) => accounting.record(item.index, summaries[index], owners[index]))
            })
          })
          started.on('tick', (progress) => {
            pipeline = pipeline.then(() => {
              const now = Date.now()
              const traffic = accounting.takeInterval((now - lastTickAt) / 1000)
              lastTickAt = now
              context.emit('capture/tick', { ...progress, ...traffic })
            })
          })
          started.on('end', () => {
            pipeline = pipeline.then(() => {
              if (session === started) setState('ended')
            })
          })
          setState(started.status().state === 'ended' ? 'ended' : 'running')
          return status()
        },

        'capture/stop': async () => {
          if (session && state === 'running') {
            setState('stopping')
            await session.stop()
            await pipeline
            // The session's own end event may already have said so.
            if (status().state !== 'ended') setState('ended')
          }
          return status()
        },

        'capture/status': () => status(),

        'capture/packets': ({ from, count }) => {
          const current = session
          if (!current) return { captureId: null, firstInMemory: 0, total: 0, rows: [] } satisfies CapturePacketPage
          const inMemory = current.packetsInMemory()
          const firstInMemory = inMemory.length > 0 ? inMemory[0].index : current.counters().packets
          const start = Math.max(0, from - firstInMemory)
          const linkType = current.captureInterface.linkType
          const rows = inMemory.slice(start, start + count).map((item) => {
            const summary = summarizePacket(item.packet, linkType)
            return rowFor(item.index, summary, attributor.attribute(summary, packetTimeMs(item.packet)))
          })
          return { captureId: current.id, firstInMemory, total: current.counters().packets, rows }
        }
      },
      async dispose() {
        const current = session
        session = null
        await current?.dispose()
      }
    }
  }
}

/** The capture domain with the helper chosen from the environment (see capture-helper-process.ts). */
export const captureModule: BackendModuleFactory = createCaptureModule()
