/**
 * Actions offered on a socket row (details pane and context menu). Each domain contributes its
 * own, e.g. "probe this remote" or "capture this".
 */
import type { SocketEntry } from '../../shared/model/socket'

/** One action on a socket row. */
export interface SocketRowAction {
  readonly id: string
  readonly label: string
  /** Whether the action makes sense for this socket. */
  readonly appliesTo: (socket: SocketEntry) => boolean
  /** Why the action is shown but cannot run now (e.g. turned off by the host); null or absent when it can. */
  readonly unavailable?: (socket: SocketEntry) => string | null
  /** Runs the action; actions go through stores, never the transport directly. */
  readonly run: (socket: SocketEntry) => void
}

/** Every registered row action, in menu order. */
export const socketRowActions: SocketRowAction[] = []

/** Adds actions; each domain calls this once at start-up. */
export function registerSocketRowActions(actions: readonly SocketRowAction[]): void {
  for (const action of actions) {
    if (!socketRowActions.some((existing) => existing.id === action.id)) socketRowActions.push(action)
  }
}

/** An action as offered for one socket: why it cannot run now, or null when it can. */
export interface OfferedRowAction {
  readonly action: SocketRowAction
  readonly unavailable: string | null
}

/** The registered actions that apply to a socket, in menu order; the details pane and the row menu both show these. */
export function rowActionsFor(socket: SocketEntry): OfferedRowAction[] {
  return socketRowActions.filter((action) => action.appliesTo(socket)).map((action) => ({ action, unavailable: action.unavailable?.(socket) ?? null }))
}
