/**
 * The exposure audit as the Exposure view and the Processes tab's cards show it: the latest
 * report, whether the next run probes TLS (opt-in, per run), and the reasons given for exposed
 * listeners.
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { AuditListener, AuditReport, ExposureReason } from '../../../shared/model/audit'
import { isExposed } from '../../../shared/model/audit'
import { errorMessage } from '../../../shared/error-message'
import { backendClient } from '../transport'

/** A report younger than this is fresh enough for a card that just appeared. */
const FRESH_FOR_MS = 5_000

/** The audit report, the TLS opt-in and the reasons. */
export const useAuditStore = defineStore('audit', () => {
  const report = shallowRef<AuditReport | null>(null)
  const reasons = shallowRef<readonly ExposureReason[]>([])
  const running = ref(false)
  /** Whether the next run sends each TCP listener a ClientHello; off until the user asks. */
  const probeTls = ref(false)
  const error = ref<string | null>(null)
  let receivedAt = 0

  const listeners = computed<readonly AuditListener[]>(() => report.value?.listeners ?? [])
  const exposedCount = computed(() => listeners.value.filter(isExposed).length)
  const warningCount = computed(() => listeners.value.reduce((sum, listener) => sum + listener.warnings.length, 0))

  /** Listeners by the pid holding them, for the Processes tab's cards. */
  const listenersByPid = computed(() => {
    const byPid = new Map<number, AuditListener[]>()
    for (const listener of listeners.value) {
      if (listener.pid === null) continue
      const list = byPid.get(listener.pid) ?? []
      list.push(listener)
      byPid.set(listener.pid, list)
    }
    return byPid
  })

  /** Audits the listeners now, probing TLS when the user turned that on for this run. */
  async function run(): Promise<void> {
    if (running.value) return
    running.value = true
    error.value = null
    try {
      report.value = await backendClient().request('audit/run', { probeTls: probeTls.value })
      receivedAt = Date.now()
    } catch (cause) {
      error.value = errorMessage(cause)
    } finally {
      running.value = false
    }
  }

  /** Runs the audit without TLS unless the report in hand is recent. */
  async function refreshIfStale(): Promise<void> {
    if (running.value || (report.value !== null && Date.now() - receivedAt < FRESH_FOR_MS)) return
    const wanted = probeTls.value
    probeTls.value = false
    try {
      await run()
    } finally {
      probeTls.value = wanted
    }
  }

  async function loadReasons(): Promise<void> {
    try {
      reasons.value = await backendClient().request('audit/reasons', {})
    } catch (cause) {
      error.value = errorMessage(cause)
    }
  }

  /** Gives (or with an empty text takes back) the reason for a listener to be reachable, then audits again. */
  async function setReason(listener: AuditListener, text: string): Promise<void> {
    error.value = null
    const reason = text.trim() === '' ? null : text.trim()
    try {
      reasons.value = await backendClient().request('audit/set-reason', { protocol: listener.protocol, port: listener.localPort, process: listener.process, reason })
    } catch (cause) {
      error.value = errorMessage(cause)
      return
    }
    const wanted = probeTls.value
    probeTls.value = false
    try {
      await run()
    } finally {
      probeTls.value = wanted
    }
  }

  return { report, reasons, running, probeTls, error, listeners, exposedCount, warningCount, listenersByPid, run, refreshIfStale, loadReasons, setReason }
})
