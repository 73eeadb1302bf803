/**
 * Closing connections and stopping processes: whether the host allows them, the confirmation the
 * page shows (in web mode; the desktop app asks in a native dialog instead), the SIGKILL offered
 * when SIGTERM was not enough, and the session's log of every attempt. It owns every `actions/*`
 * call and subscription; components render its state and call its actions.
 */
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { ActionLogEntry, ActionPolicyView, ActionResult, SystemActionKind } from '../../../shared/model/action'
import type { SocketEntry } from '../../../shared/model/socket'
import { connectionWithProcessText, processText, socketProcessText, whyNotClosable, type ActionConfirmationSubject } from '../../../shared/format/action-text'
import { errorMessage } from '../../../shared/error-message'
import { registerSocketRowActions } from '../row-actions'
import { backendClient } from '../transport'

/** The request an action sends once confirmed. */
export type ActionRequest =
  | { readonly channel: 'actions/close-connection'; readonly socketId: string }
  | { readonly channel: 'actions/stop-process' | 'actions/kill-process'; readonly pid: number; readonly processName: string | null }

/** An action waiting for the user's yes in the page, named the way the confirmation shows it. */
export interface PendingAction {
  readonly subject: ActionConfirmationSubject
  readonly request: ActionRequest
  /** Why it is offered, e.g. that SIGTERM was not enough; null for an action the user picked. */
  readonly reason: string | null
}

/** The last attempt's outcome, shown until dismissed. */
export interface ActionNotice {
  readonly action: SystemActionKind
  readonly target: string
  readonly outcome: ActionResult['outcome'] | 'error'
  readonly message: string
}

/** Log entries the page keeps; the backend keeps its own bound too. */
const SHOWN_LOG_ENTRIES = 200

/** The actions domain's state and actions. */
export const useActionsStore = defineStore('actions', () => {
  const policy = shallowRef<ActionPolicyView | null>(null)
  /** The action the confirmation dialog asks about; null when none is open. */
  const pending = shallowRef<PendingAction | null>(null)
  const busy = ref(false)
  const notice = shallowRef<ActionNotice | null>(null)
  /** This session's attempts, newest first. */
  const log = shallowRef<readonly ActionLogEntry[]>([])
  let started = false

  /** Why actions cannot be used here; null when they can. */
  function unavailableReason(): string | null {
    if (policy.value === null) return 'Waiting for sockscope to say whether actions are allowed.'
    return policy.value.allowed ? null : policy.value.howToAllow
  }

  function addToLog(entry: ActionLogEntry): void {
    if (log.value.some((known) => known.sequence === entry.sequence)) return
    log.value = [entry, ...log.value].slice(0, SHOWN_LOG_ENTRIES)
  }

  /** Asks in the page, or goes straight to the backend when the host confirms in its own dialog. */
  async function propose(action: PendingAction): Promise<void> {
    if (unavailableReason() !== null) return
    if (policy.value?.confirmation === 'host') {
      await send(action)
      return
    }
    pending.value = action
  }

  /** Offers to close a socket row's TCP connection. */
  function proposeClose(socket: SocketEntry): Promise<void> {
    return propose({
      subject: { action: 'close-connection', target: connectionWithProcessText(socket), process: socketProcessText(socket) },
      request: { channel: 'actions/close-connection', socketId: socket.id },
      reason: null
    })
  }

  /** Offers to stop a process (SIGTERM first). */
  function proposeStop(pid: number, name: string | null): Promise<void> {
    const process = processText(name, pid)
    return propose({ subject: { action: 'stop-process', target: process, process }, request: { channel: 'actions/stop-process', pid, processName: name }, reason: null })
  }

  /** The user said yes in the page's confirmation. */
  async function confirm(): Promise<void> {
    const action = pending.value
    if (action === null || busy.value) return
    pending.value = null
    await send(action)
  }

  /** The user said no, or closed the confirmation. */
  function cancel(): void {
    pending.value = null
  }

  function dismissNotice(): void {
    notice.value = null
  }

  async function send(action: PendingAction): Promise<void> {
    busy.value = true
    const { subject, request } = action
    try {
      const client = backendClient()
      const result =
        request.channel === 'actions/close-connection'
          ? await client.request(request.channel, { socketId: request.socketId })
          : await client.request(request.channel, request.processName === null ? { pid: request.pid } : { pid: request.pid, process: request.processName })
      addToLog(result.entry)
      notice.value = { action: subject.action, target: subject.target, outcome: result.outcome, message: result.message }
      if (result.outcome === 'still-running' && request.channel === 'actions/stop-process') {
        // SIGTERM was not enough: offer SIGKILL, which the user confirms again.
        await propose({ subject: { ...subject, action: 'kill-process' }, request: { ...request, channel: 'actions/kill-process' }, reason: result.message })
      }
    } catch (error) {
      notice.value = { action: subject.action, target: subject.target, outcome: 'error', message: errorMessage(error) }
    } finally {
      busy.value = false
    }
  }

  /** Re-read the policy and the session's log (first start, and after a reconnect). */
  async function reload(): Promise<void> {
    const client = backendClient()
    const [view, entries] = await Promise.all([client.request('actions/policy', {}), client.request('actions/log', {})])
    policy.value = view
    log.value = [...entries].reverse().slice(0, SHOWN_LOG_ENTRIES)
  }

  /** Subscribe to new log entries and read the policy. Safe to call more than once. */
  async function start(): Promise<void> {
    if (started) return
    started = true
    const client = backendClient()
    client.subscribe('actions/logged', addToLog)
    client.onConnectionChange((connected) => {
      if (connected) void reload().catch(() => {})
    })
    await reload().catch(() => {})
  }

  return { policy, pending, busy, notice, log, start, reload, unavailableReason, proposeClose, proposeStop, confirm, cancel, dismissNotice }
})

// "Close connection" and "Stop process" on socket rows; shown disabled, with the reason, where the host turned them off.
registerSocketRowActions([
  {
    id: 'close-connection',
    label: 'Close connection',
    appliesTo: (socket) => whyNotClosable(socket) === null,
    unavailable: () => useActionsStore().unavailableReason(),
    run: (socket) => void useActionsStore().proposeClose(socket)
  },
  {
    id: 'stop-process',
    label: 'Stop process',
    appliesTo: (socket) => socket.pid !== null,
    unavailable: () => useActionsStore().unavailableReason(),
    run: (socket) => {
      if (socket.pid !== null) void useActionsStore().proposeStop(socket.pid, socket.process)
    }
  }
])
