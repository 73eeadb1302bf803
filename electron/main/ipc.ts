/**
 * The only code that touches ipcMain: every contract channel is answered by the backend, after
 * the sender is checked; every backend event is forwarded to our windows, queued until each
 * window's page has loaded.
 */
import { ipcMain, type BrowserWindow } from 'electron'
import { requestChannels } from '../../shared/contract'
import type { Envelope } from '../../shared/contract/envelope'
import type { Backend } from '../backend'
import { isTrustedSender } from './trusted-sender'

/** Every IPC request comes from the app's own window. */
const DESKTOP_CALLER = { actor: 'desktop', label: 'desktop window' } as const

/** Windows that may talk to the backend, and the page they must show. */
export interface TrustedWindows {
  readonly ids: ReadonlySet<number>
  readonly appUrl: string
}

/** Registers a handler per request channel. Returns a function that removes them. */
export function setupContractHandlers(backend: Backend, trusted: TrustedWindows): () => void {
  const channels = Object.keys(requestChannels)
  for (const channel of channels) {
    ipcMain.handle(channel, async (event, args: unknown): Promise<Envelope<unknown>> => {
      if (!isTrustedSender(event.sender, event.senderFrame, trusted.ids, trusted.appUrl)) {
        return { ok: false, error: { code: 'untrusted-sender', message: 'message from an unknown frame was dropped' } }
      }
      return backend.handle(channel, args, DESKTOP_CALLER)
    })
  }
  return () => channels.forEach((channel) => ipcMain.removeHandler(channel))
}

/** Forwards backend events to a window, holding them until its page has finished loading. */
export function forwardEvents(backend: Backend, window: BrowserWindow): () => void {
  let ready = false
  const queue: Array<[string, unknown]> = []
  const maxQueued = 500
  window.webContents.on('did-finish-load', () => {
    ready = true
    for (const [event, payload] of queue.splice(0)) window.webContents.send(event, payload)
  })
  window.webContents.on('did-start-loading', () => {
    ready = false
  })
  return backend.subscribe((event, payload) => {
    if (window.isDestroyed()) return
    if (ready) window.webContents.send(event, payload)
    else if (queue.length < maxQueued) queue.push([event, payload])
  })
}
