/**
 * Targets of actions in words, the same in the page's confirmation, the desktop app's native
 * dialog, the CLI's list and the action log.
 */
import type { SystemActionKind } from '../model/action'
import type { SocketEntry } from '../model/socket'
import { formatEndpoint } from './socket-text'

/** A process as actions name it: `node (1234)`. */
export function processText(name: string | null, pid: number): string {
  return `${name ?? 'process'} (${pid})`
}

/** A connection's endpoints: `tcp 127.0.0.1:41000 → 127.0.0.1:8080`. */
export function connectionText(socket: SocketEntry): string {
  const kind = socket.family === null ? socket.protocol : `${socket.protocol}${socket.family === 6 ? '6' : ''}`
  return `${kind} ${formatEndpoint(socket.localAddress, socket.localPort, socket.family)} → ${formatEndpoint(socket.remoteAddress, socket.remotePort, socket.family)}`
}

/** The process holding a socket, or why none is named. */
export function socketProcessText(socket: SocketEntry): string | null {
  return socket.pid === null ? null : processText(socket.process, socket.pid)
}

/** A connection with its process: `tcp 127.0.0.1:41000 → 127.0.0.1:8080 of node (1234)`. */
export function connectionWithProcessText(socket: SocketEntry): string {
  const owner = socketProcessText(socket)
  return `${connectionText(socket)} ${owner === null ? '(owner not known)' : `of ${owner}`}`
}

/** Why a socket cannot be closed by sockscope; null for a TCP connection it can close. */
export function whyNotClosable(socket: SocketEntry): string | null {
  if (socket.protocol !== 'tcp' || socket.family === null) return 'only TCP connections can be closed'
  if (socket.state === 'LISTEN') return 'a listening socket is not a connection; stop its process instead'
  if (socket.remotePort === null || socket.remotePort === 0) return 'the socket is not connected to a peer'
  return null
}

/** What a confirmation is about: the action, its target and the process it hits, all in words. */
export interface ActionConfirmationSubject {
  readonly action: SystemActionKind
  /** For a close, the connection with its process; for a stop or kill, the process. */
  readonly target: string
  readonly process: string | null
}

/** The words of a confirmation, the same in the page and in the desktop app's native dialog. */
export interface ActionConfirmationText {
  readonly title: string
  readonly detail: string
  /** The label of the button that goes ahead. */
  readonly confirmLabel: string
}

/** The confirmation for an action, naming the connection and its process. */
export function actionConfirmationText(subject: ActionConfirmationSubject, stopGraceSeconds: number): ActionConfirmationText {
  const process = subject.process ?? 'its process'
  switch (subject.action) {
    case 'close-connection':
      return {
        title: 'Close this TCP connection?',
        detail: `${subject.target}\n\nThe kernel aborts it: the peer gets a reset and ${process} sees its next read fail. This cannot be undone.`,
        confirmLabel: 'Close connection'
      }
    case 'stop-process':
      return {
        title: `Stop ${subject.target}?`,
        detail: `sockscope sends it SIGTERM and waits up to ${stopGraceSeconds} s for it to exit. If it is still running then, you are offered SIGKILL.`,
        confirmLabel: 'Stop process'
      }
    case 'kill-process':
      return {
        title: `Force ${subject.target} to stop?`,
        detail: 'SIGKILL ends it at once, with no chance to save anything or close its connections cleanly.',
        confirmLabel: 'Send SIGKILL'
      }
  }
}
