/**
 * Leak findings and their thresholds. Follows `leaks/findings`, keeps the live and recently
 * cleared findings, and in web mode shows browser notifications for new ones (rate-limited; the
 * desktop app shows native ones from the main process instead).
 */
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { Finding, FindingsUpdate } from '../../../shared/model/finding'
import { LEAK_SETTING_LABELS, type LeakSettings, type LeakSettingsUpdate } from '../../../shared/leak-settings'
import { FindingNotificationThrottle, type FindingNotification } from '../../../shared/finding-notifications'
import { backendClient, describeRequestFailure } from '../transport'
import { useLayoutStore } from './layout'
import { useSocketsStore } from './sockets'
import { errorMessage } from '../../../shared/error-message'

/** Cleared findings kept for the panel. */
const CLEARED_LIMIT = 50

/** Whether the renderer runs inside the desktop app (its preload exposes a bridge). */
function isDesktop(): boolean {
  return typeof window !== 'undefined' && 'sockscope' in window
}

/** What the browser allows for notifications, or `unsupported`. */
export type NotificationAccess = NotificationPermission | 'unsupported'

function currentAccess(): NotificationAccess {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission
}

/** The socket-table filter that shows a finding's sockets. */
export function filterForFinding(finding: Finding): string | null {
  const terms: string[] = []
  if (finding.process) terms.push(`pid:${finding.process.pid}`)
  if (finding.kind === 'close-wait') terms.push('state:close_wait')
  if (finding.kind === 'time-wait') terms.push('state:time_wait')
  if (finding.kind === 'slow-clients') {
    const port = /^slow-clients:[^|]*\|(\d+)$/.exec(finding.id)?.[1]
    if (port) terms.push(`lport:${port} state:established`)
  }
  if (finding.kind === 'connection-churn') {
    const port = /:(\d+)$/.exec(finding.evidence.groups[0]?.label ?? '')?.[1]
    if (port) terms.push(`port:${port}`)
  }
  if (finding.kind === 'ephemeral-ports') {
    const label = finding.evidence.groups[0]?.label ?? ''
    const port = /:(\d+)$/.exec(label)?.[1]
    if (port) terms.push(`rport:${port}`)
  }
  return terms.length > 0 ? terms.join(' ') : null
}

/** Findings, settings and notifications. */
export const useLeaksStore = defineStore('leaks', () => {
  const active = shallowRef<readonly Finding[]>([])
  const recentlyCleared = shallowRef<readonly Finding[]>([])
  const settings = ref<LeakSettings | null>(null)
  const error = ref<string | null>(null)
  const notificationAccess = ref<NotificationAccess>(currentAccess())
  /** The last notification shown (or that would have been, where the browser refuses). */
  const lastNotification = shallowRef<FindingNotification | null>(null)
  const throttle = new FindingNotificationThrottle()
  let started = false

  function notify(appeared: readonly Finding[]): void {
    if (!settings.value || isDesktop()) return
    const notification = throttle.offer(appeared, Date.now(), settings.value)
    if (!notification) return
    lastNotification.value = notification
    if (currentAccess() === 'granted') new Notification(notification.title, { body: notification.body, tag: 'sockscope-findings' })
  }

  function apply(update: FindingsUpdate): void {
    active.value = update.active
    if (update.cleared.length > 0) recentlyCleared.value = [...update.cleared, ...recentlyCleared.value].slice(0, CLEARED_LIMIT)
    throttle.withdraw(update.cleared.map((finding) => finding.id))
    notify(update.appeared)
  }

  async function reload(): Promise<void> {
    try {
      const [state, current] = await Promise.all([backendClient().request('leaks/findings', {}), backendClient().request('leaks/settings', {})])
      active.value = state.active
      recentlyCleared.value = state.recentlyCleared
      settings.value = current
      error.value = null
    } catch (failure) {
      error.value = errorMessage(failure)
    }
  }

  /** Follows findings; safe to call more than once. */
  async function start(): Promise<void> {
    if (started) return
    started = true
    const client = backendClient()
    client.subscribe('leaks/findings', apply)
    // Findings held back by the rate limit go out once it has passed.
    client.subscribe('history/tick', () => {
      if (throttle.hasWaiting()) notify([])
    })
    client.onConnectionChange((connected) => {
      if (connected) void reload()
    })
    await reload()
  }

  async function updateSettings(update: LeakSettingsUpdate): Promise<void> {
    try {
      settings.value = await backendClient().request('leaks/update-settings', update)
      error.value = null
    } catch (failure) {
      error.value = describeRequestFailure(failure, LEAK_SETTING_LABELS)
    }
  }

  /** Asks the browser for permission; must run from a click. */
  async function enableNotifications(): Promise<void> {
    if (typeof Notification !== 'undefined' && Notification.permission === 'default') await Notification.requestPermission()
    notificationAccess.value = currentAccess()
    await updateSettings({ notify: true })
  }

  /** Shows the sockets behind a finding in the table. */
  function showInTable(finding: Finding): void {
    const filter = filterForFinding(finding)
    if (!filter) return
    useSocketsStore().setFilter(filter)
    useLayoutStore().show('sockets')
  }

  return {
    active,
    recentlyCleared,
    settings,
    error,
    notificationAccess,
    lastNotification,
    start,
    reload,
    apply,
    updateSettings,
    enableNotifications,
    showInTable
  }
})
