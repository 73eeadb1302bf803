/**
 * The charts' data: series from the backend's history (live or an opened recording) for the
 * chosen window, re-read after each tick while the charts are on screen, and the newest point
 * for the gauges. Click-to-filter goes through here to the sockets store.
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { HistoryInfo, HistorySample, HistorySource, NamedSeries, SeriesKind, SeriesSet } from '../../../shared/model/history'
import { backendClient } from '../transport'
import { createColorKeeper, seriesColor } from '../series-colors'
import { useLayoutStore } from './layout'
import { useSocketsStore } from './sockets'
import { errorMessage } from '../../../shared/error-message'

/** The time windows a chart can show; `live` follows the last two minutes. */
export type ChartWindow = 'live' | '5m' | '1h' | 'all'

/** Window lengths in milliseconds; `all` has none. */
const CHART_WINDOW_MS: Readonly<Record<ChartWindow, number | null>> = {
  live: 2 * 60_000,
  '5m': 5 * 60_000,
  '1h': 60 * 60_000,
  all: null
}

/** A chart line as TimeSeriesChart takes it, with what a click on it filters to. */
export interface ChartLine {
  readonly label: string
  readonly points: ReadonlyArray<{ readonly x: number; readonly y: number }>
  readonly pid?: number
  readonly state?: string
  /** Its own colour (a process keeps one for its life); by position otherwise. */
  readonly color?: string
}

/** Points past which the backend averages neighbours; Chart.js decimates further on screen. */
const MAX_POINTS = 1500
/** Lines in the per-process chart. */
const TOP_PROCESSES = 8
/** At most one refresh in flight, and none more often than this. */
const MIN_REFRESH_GAP_MS = 400

/** Turns a series set into chart lines, leaving out the times a subject did not exist. */
export function toChartLines(set: SeriesSet | null, pick: (series: NamedSeries) => boolean = () => true): ChartLine[] {
  if (!set) return []
  return set.series.filter(pick).map((series) => {
    const points: Array<{ x: number; y: number }> = []
    series.values.forEach((value, index) => {
      const time = set.times[index]
      if (value !== null && time !== undefined) points.push({ x: time, y: value })
    })
    return { label: series.label, points, pid: series.pid, state: series.state }
  })
}

/** Chart data for the Charts view. */
export const useHistoryStore = defineStore('history', () => {
  const windowChoice = ref<ChartWindow>('live')
  const source = ref<HistorySource>('live')
  /** The process the state chart shows, or null for every socket. */
  const statesPid = ref<number | null>(null)
  const visible = ref(false)
  const latest = shallowRef<HistorySample | null>(null)
  const info = ref<HistoryInfo | null>(null)
  const error = ref<string | null>(null)
  const states = shallowRef<SeriesSet | null>(null)
  const processSockets = shallowRef<SeriesSet | null>(null)
  const interfaces = shallowRef<SeriesSet | null>(null)
  const fileDescriptors = shallowRef<SeriesSet | null>(null)
  const ephemeral = shallowRef<SeriesSet | null>(null)
  const refreshes = ref(0)

  let started = false
  let inFlight: Promise<void> | null = null
  let again = false
  let lastRefreshAt = 0

  const stateLines = computed(() => toChartLines(states.value))
  const keepProcessColors = createColorKeeper()
  /** One line per process, each in the colour it keeps for its life. */
  const processLines = computed(() => {
    const lines = toChartLines(processSockets.value)
    const alive = new Set((latest.value?.processes ?? []).map((process) => process.pid))
    const colors = keepProcessColors(
      lines.flatMap((line) => (line.pid === undefined ? [] : [line.pid])),
      alive
    )
    return lines.map((line) => (line.pid === undefined ? line : { ...line, color: seriesColor(colors.get(line.pid) ?? 0) }))
  })
  const byteLines = computed(() => toChartLines(interfaces.value, (series) => series.key.endsWith('BytesPerSecond')))
  const packetLines = computed(() => toChartLines(interfaces.value, (series) => series.key.endsWith('PacketsPerSecond')))
  /** The processes the history follows now, busiest first, for the state chart's picker. */
  const processChoices = computed(() =>
    [...(latest.value?.processes ?? [])].sort((a, b) => b.sockets - a.sockets).map((process) => ({ pid: process.pid, label: `${process.name} (${process.pid})` }))
  )
  /** The x range of the chosen window, so live charts scroll instead of rescaling. */
  const xRange = computed(() => {
    const span = CHART_WINDOW_MS[windowChoice.value]
    const newest = info.value?.newest
    if (span === null || newest === null || newest === undefined) return null
    return { min: newest - span, max: newest }
  })

  async function request(kind: SeriesKind, extra: { pid?: number; top?: number } = {}): Promise<SeriesSet> {
    const span = CHART_WINDOW_MS[windowChoice.value]
    return backendClient().request('history/series', {
      kind,
      source: source.value,
      maxPoints: MAX_POINTS,
      ...(span !== null ? { windowMs: span } : {}),
      ...extra
    })
  }

  async function load(): Promise<void> {
    try {
      const pid = statesPid.value ?? undefined
      const [latestAnswer, stateSet, processSet, interfaceSet, fdSet, ephemeralSet] = await Promise.all([
        backendClient().request('history/latest', { source: source.value }),
        request('states', pid !== undefined ? { pid } : {}),
        request('process-sockets', { top: TOP_PROCESSES }),
        request('interfaces'),
        request('file-descriptors', { top: TOP_PROCESSES }),
        request('ephemeral', { top: TOP_PROCESSES })
      ])
      latest.value = latestAnswer.sample
      info.value = latestAnswer.info
      states.value = stateSet
      processSockets.value = processSet
      interfaces.value = interfaceSet
      fileDescriptors.value = fdSet
      ephemeral.value = ephemeralSet
      error.value = null
      refreshes.value++
    } catch (failure) {
      error.value = errorMessage(failure)
    }
  }

  /** Re-reads every series; calls while one is running fold into one more. */
  async function refresh(): Promise<void> {
    if (inFlight) {
      again = true
      return inFlight
    }
    lastRefreshAt = Date.now()
    inFlight = load().finally(() => {
      inFlight = null
      if (again) {
        again = false
        void refresh()
      }
    })
    return inFlight
  }

  function onTick(): void {
    if (!visible.value || source.value !== 'live') return
    if (Date.now() - lastRefreshAt < MIN_REFRESH_GAP_MS && !inFlight) {
      setTimeout(() => void refresh(), MIN_REFRESH_GAP_MS)
      return
    }
    void refresh()
  }

  /** Follows `history/tick`; safe to call more than once. */
  function start(): void {
    if (started) return
    started = true
    const client = backendClient()
    client.subscribe('history/tick', (tick) => {
      // The time axis (info) moves with the series in refresh(), so lines never lag the axis.
      if (source.value === 'live') latest.value = tick.sample
      onTick()
    })
    client.onConnectionChange((connected) => {
      if (connected && visible.value) void refresh()
    })
  }

  /** The Charts view tells the store when it is on screen, so hidden charts cost nothing. */
  function setVisible(isVisible: boolean): void {
    visible.value = isVisible
    if (isVisible) void refresh()
  }

  function setWindow(choice: ChartWindow): void {
    windowChoice.value = choice
    void refresh()
  }

  function setSource(next: HistorySource): void {
    source.value = next
    if (next === 'recording') windowChoice.value = 'all'
    void refresh()
  }

  function showStatesFor(pid: number | null): void {
    statesPid.value = pid
    void refresh()
  }

  /** Click-to-filter: the socket table narrowed to a process and/or a state. */
  function filterSockets(target: { pid?: number | null; state?: string | null }): void {
    const terms: string[] = []
    if (target.pid !== undefined && target.pid !== null) terms.push(`pid:${target.pid}`)
    if (target.state) terms.push(`state:${target.state.toLowerCase()}`)
    if (terms.length === 0) return
    useSocketsStore().setFilter(terms.join(' '))
    useLayoutStore().show('sockets')
  }

  return {
    windowChoice,
    source,
    statesPid,
    visible,
    latest,
    info,
    error,
    states,
    processSockets,
    interfaces,
    fileDescriptors,
    ephemeral,
    refreshes,
    stateLines,
    processLines,
    byteLines,
    packetLines,
    processChoices,
    xRange,
    start,
    refresh,
    setVisible,
    setWindow,
    setSource,
    showStatesFor,
    filterSockets
  }
})
