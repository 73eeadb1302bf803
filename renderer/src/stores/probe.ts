/**
 * Test connections: the Probe view's tabs, the probe forms, the session's results history and the
 * live repeated probe. It owns the `probe/*` calls and subscriptions but `probe/policy`, which
 * stores/probe-policy.ts reads for the probe, listener and holder forms alike; components only
 * bind to its forms and call its actions. The Listener and Holder tabs have stores of their own
 * (stores/listener.ts, stores/holder.ts).
 */
import { defineStore } from 'pinia'
import { computed, reactive, ref, shallowRef } from 'vue'
import type { ProbeKind, ProbePolicy, ProbeResult, ProbeSample, ProbeStatistics, RepeatedProbeSampleBatch, RepeatedProbeSummary } from '../../../shared/model/probe'
import type { SocketEntry } from '../../../shared/model/socket'
import { formatHostPort } from '../../../shared/format/socket-text'
import { registerSocketRowActions } from '../row-actions'
import { saveBlob } from '../save-file'
import { backendClient } from '../transport'
import { defaultForms, repeatRequest, submitForm, tcpRequest, tlsRequest, udpRequest, type FormResult } from '../probe-forms'
import { useHolderStore } from './holder'
import { useLayoutStore } from './layout'
import { useListenerStore } from './listener'
import { useProbePolicyStore } from './probe-policy'
import { errorMessage } from '../../../shared/error-message'

/** The Probe view's tabs. */
export type ProbeTab = 'tcp' | 'repeat' | 'tls' | 'udp' | 'listener' | 'holder'

/** The tabs whose forms this store owns. */
type ProbeFormTab = 'tcp' | 'repeat' | 'tls' | 'udp'

/** One entry of the session's history: a one-shot result or a finished repeated run. */
export type ProbeHistoryEntry =
  | { readonly id: number; readonly kind: ProbeKind; readonly title: string; readonly at: number; readonly ok: boolean; readonly result: ProbeResult }
  | { readonly id: number; readonly kind: 'repeat'; readonly title: string; readonly at: number; readonly ok: boolean; readonly result: RepeatedProbeSummary }

/** History entries kept for the session; the oldest go first. */
const KEPT_HISTORY = 200
/** Samples the live chart keeps; older ones scroll off. */
const CHARTED_SAMPLES = 2_000

/** A point of the latency chart: x is the attempt time, y its connect time. */
export interface LatencyPoint {
  readonly x: number
  readonly y: number
}

/** The probe domain's state and actions. */
export const useProbeStore = defineStore('probe', () => {
  const activeTab = ref<ProbeTab>('tcp')
  const { tcp, repeat, tls, udp } = defaultForms()
  const forms = reactive({ tcp, repeat, tls, udp })
  /** The message under each tab's form: invalid input, or a request the backend refused. */
  const formErrors = reactive<Record<ProbeFormTab, string | null>>({ tcp: null, repeat: null, tls: null, udp: null })
  const busy = reactive<Record<ProbeKind, boolean>>({ tcp: false, tls: false, udp: false })

  const history = shallowRef<readonly ProbeHistoryEntry[]>([])
  const selectedHistoryId = ref<number | null>(null)
  let nextHistoryId = 1

  const repeatRunId = ref<string | null>(null)
  const repeatSummary = shallowRef<RepeatedProbeSummary | null>(null)
  const repeatSamples = shallowRef<readonly ProbeSample[]>([])
  const repeatStatistics = shallowRef<ProbeStatistics | null>(null)
  const repeatRunning = ref(false)

  const policyStore = useProbePolicyStore()
  /** What the backend lets this client aim at other machines; null until it has been read. */
  const policy = computed(() => policyStore.policy)

  let started = false

  const selectedEntry = computed(() => history.value.find((entry) => entry.id === selectedHistoryId.value) ?? null)
  /** The selected result when it belongs to the tab on screen: the Holder tab never shows a TCP probe's result. */
  const shownEntry = computed(() => (selectedEntry.value?.kind === activeTab.value ? selectedEntry.value : null))
  const latencyPoints = computed<LatencyPoint[]>(() =>
    repeatSamples.value.filter((sample) => sample.ok && sample.latencyMs !== null).map((sample) => ({ x: sample.at, y: sample.latencyMs ?? 0 }))
  )
  const lostSamples = computed(() => repeatSamples.value.filter((sample) => !sample.ok))

  function addHistory(entry: Omit<ProbeHistoryEntry, 'id'>): void {
    const added = { ...entry, id: nextHistoryId++ } as ProbeHistoryEntry
    history.value = [added, ...history.value].slice(0, KEPT_HISTORY)
    selectedHistoryId.value = added.id
  }

  /** Validate a form, then run the call; the form shows the first problem either step reports. */
  function submit<T, R>(tab: ProbeFormTab, built: FormResult<T>, call: (request: T) => Promise<R>): Promise<R | null> {
    return submitForm(built, call, (message) => (formErrors[tab] = message))
  }

  async function runOneShot(kind: ProbeKind): Promise<ProbeResult | null> {
    if (busy[kind]) return null
    busy[kind] = true
    try {
      const client = backendClient()
      const result: ProbeResult | null =
        kind === 'tcp'
          ? await submit('tcp', tcpRequest(forms.tcp), (request) => client.request('probe/tcp', request))
          : kind === 'tls'
            ? await submit('tls', tlsRequest(forms.tls), (request) => client.request('probe/tls', { ...request, alpnProtocols: [...(request.alpnProtocols ?? [])] }))
            : await submit('udp', udpRequest(forms.udp), (request) => client.request('probe/udp', request))
      if (result !== null) {
        addHistory({ kind, title: `${kind.toUpperCase()} ${formatHostPort(result.host, result.port)}`, at: result.startedAt, ok: result.ok, result })
      }
      return result
    } finally {
      busy[kind] = false
    }
  }

  /** Run the TCP form's probe. */
  const runTcp = () => runOneShot('tcp')
  /** Run the TLS form's probe. */
  const runTls = () => runOneShot('tls')
  /** Run the UDP form's probe. */
  const runUdp = () => runOneShot('udp')

  function applySummary(summary: RepeatedProbeSummary): void {
    repeatRunId.value = summary.runId
    repeatSummary.value = summary
    repeatSamples.value = summary.samples.slice(-CHARTED_SAMPLES)
    repeatStatistics.value = summary.statistics
    repeatRunning.value = summary.endedBy === null
  }

  /** Batches that arrived while a start request was still waiting for its run id. */
  let earlyBatches: RepeatedProbeSampleBatch[] | null = null

  function applyBatch(batch: RepeatedProbeSampleBatch): void {
    if (batch.runId !== repeatRunId.value) {
      earlyBatches?.push(batch)
      return
    }
    const lastSequence = repeatSamples.value.at(-1)?.sequence ?? 0
    const fresh = batch.samples.filter((sample) => sample.sequence > lastSequence)
    if (fresh.length > 0) {
      const merged = [...repeatSamples.value, ...fresh]
      repeatSamples.value = merged.length > CHARTED_SAMPLES ? merged.slice(-CHARTED_SAMPLES) : merged
    }
    repeatStatistics.value = batch.statistics
    if (batch.endedBy !== null && repeatRunning.value) {
      repeatRunning.value = false
      const current = repeatSummary.value
      if (current !== null) {
        const finished: RepeatedProbeSummary = {
          ...current,
          endedBy: batch.endedBy,
          finishedAt: batch.finishedAt,
          statistics: batch.statistics,
          samples: repeatSamples.value
        }
        repeatSummary.value = finished
        addHistory({
          kind: 'repeat',
          title: `Repeat ${formatHostPort(finished.host, finished.port)}`,
          at: finished.startedAt,
          ok: batch.statistics.received > 0,
          result: finished
        })
      }
    }
  }

  /** Start the repeated probe of the Repeat form, replacing the chart. */
  async function startRepeat(): Promise<void> {
    if (repeatRunning.value) return
    earlyBatches = []
    const summary = await submit('repeat', repeatRequest(forms.repeat), (request) => {
      repeatRunId.value = null
      repeatSamples.value = []
      repeatStatistics.value = null
      return backendClient().request('probe/repeat-start', request)
    })
    const early = earlyBatches
    earlyBatches = null
    if (summary === null) return
    applySummary(summary)
    for (const batch of early) if (batch.runId === summary.runId) applyBatch(batch)
    if (summary.error !== null) formErrors.repeat = summary.error.message
  }

  /** Stop the running repeated probe. */
  async function stopRepeat(): Promise<void> {
    const runId = repeatRunId.value
    if (runId === null || !repeatRunning.value) return
    try {
      await backendClient().request('probe/repeat-stop', { runId })
    } catch (error) {
      formErrors.repeat = errorMessage(error)
    }
  }

  /** Read the backend's policy for targets beyond this machine. */
  async function loadPolicy(): Promise<ProbePolicy> {
    return await policyStore.load()
  }

  /** Re-read everything the backend holds (first start, and after a reconnect). */
  async function reload(): Promise<void> {
    const client = backendClient()
    const [runs] = await Promise.all([client.request('probe/repeat-list', {}), policyStore.load()])
    const current = runs.find((run) => run.runId === repeatRunId.value) ?? runs.find((run) => run.endedBy === null)
    if (current !== undefined) applySummary(current)
  }

  /**
   * Subscribe to pushed updates and read the current state, for the whole Probe view (the
   * listener and holder stores start too). Safe to call more than once.
   */
  async function start(): Promise<void> {
    if (started) return
    started = true
    const client = backendClient()
    client.subscribe('probe/samples', applyBatch)
    client.onConnectionChange((connected) => {
      if (connected) void reload().catch(() => {})
    })
    await Promise.all([reload().catch(() => {}), useListenerStore().start(), useHolderStore().start()])
  }

  /** Selects a result of the history and shows the tab it belongs to. */
  function selectHistory(id: number | null): void {
    selectedHistoryId.value = id
    const entry = selectedEntry.value
    if (entry) activeTab.value = entry.kind
  }

  function clearHistory(): void {
    history.value = []
    selectedHistoryId.value = null
  }

  /** The JSON text of a history entry, as exported. */
  function entryJson(entry: ProbeHistoryEntry): string {
    return JSON.stringify({ kind: entry.kind, ...entry.result }, null, 2) + '\n'
  }

  /** Download a history entry as a JSON file. */
  function exportEntry(id: number): void {
    const entry = history.value.find((candidate) => candidate.id === id)
    if (entry === undefined) return
    const stamp = new Date(entry.at).toISOString().replace(/[:.]/g, '-')
    saveBlob(new Blob([entryJson(entry)], { type: 'application/json' }), `sockscope-${entry.kind}-probe-${stamp}.json`)
  }

  /**
   * Fill the forms from a socket row: its remote end, or (for a listener) its local end, where a
   * wildcard address becomes the loopback address of the same family. Then show the Probe view.
   */
  function prepareFromSocket(socket: SocketEntry, end: 'remote' | 'listener'): void {
    const address = end === 'remote' ? socket.remoteAddress : loopbackFor(socket.localAddress, socket.family)
    const port = end === 'remote' ? socket.remotePort : socket.localPort
    if (port === null) return
    const text = formatHostPort(address, port)
    if (socket.protocol === 'udp') {
      forms.udp.target = text
      activeTab.value = 'udp'
    } else {
      forms.tcp.target = text
      forms.repeat.target = text
      forms.tls.target = text
      useHolderStore().form.target = text
      activeTab.value = 'tcp'
    }
    void start()
    useLayoutStore().show('probe')
  }

  return {
    activeTab,
    forms,
    formErrors,
    busy,
    history,
    selectedHistoryId,
    selectedEntry,
    shownEntry,
    repeatRunId,
    repeatSummary,
    repeatSamples,
    repeatStatistics,
    repeatRunning,
    latencyPoints,
    lostSamples,
    policy,
    start,
    reload,
    loadPolicy,
    runTcp,
    runTls,
    runUdp,
    startRepeat,
    stopRepeat,
    selectHistory,
    clearHistory,
    entryJson,
    exportEntry,
    prepareFromSocket
  }
})

/** Where to reach a listener bound to a wildcard address: the loopback address of its family. */
function loopbackFor(address: string, family: SocketEntry['family']): string {
  if (address === '0.0.0.0') return '127.0.0.1'
  if (address === '::' || address === '') return family === 4 ? '127.0.0.1' : '::1'
  return address
}

function hasRemote(socket: SocketEntry): boolean {
  return socket.remotePort !== null && socket.remotePort !== 0 && socket.remoteAddress !== '0.0.0.0' && socket.remoteAddress !== '::' && socket.remoteAddress !== ''
}

// Offer "probe this remote" and "probe this listener" on socket rows; they reach the store only when run.
registerSocketRowActions([
  {
    id: 'probe-remote',
    label: 'Probe this remote',
    appliesTo: (socket) => socket.family !== null && (socket.protocol === 'tcp' || socket.protocol === 'udp') && hasRemote(socket),
    run: (socket) => useProbeStore().prepareFromSocket(socket, 'remote')
  },
  {
    id: 'probe-listener',
    label: 'Probe this listener',
    appliesTo: (socket) =>
      socket.family !== null &&
      socket.localPort !== null &&
      socket.localPort !== 0 &&
      ((socket.protocol === 'tcp' && socket.state === 'LISTEN') || (socket.protocol === 'udp' && !hasRemote(socket))),
    run: (socket) => useProbeStore().prepareFromSocket(socket, 'listener')
  }
])
