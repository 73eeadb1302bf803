/**
 * The newest tick, kept for scrapes: each scrape renders it once per format, and scrapes between
 * two ticks get the same text without counting the table again.
 */
import type { SocketSnapshot } from '../../../shared/model/socket'
import type { HistorySample } from '../../../shared/model/history'
import type { Finding } from '../../../shared/model/finding'
import { summarizeSockets } from '../history/socket-summary'
import type { Backend } from '../backend'
import type { EventPayload } from '../../../shared/contract'
import { buildInfoFamily, buildMetricFamilies, DEFAULT_METRICS_TOP, type MetricsBounds } from './metric-families'
import { renderExposition, type ExpositionFormat, type MetricFamily } from './exposition-text'

/** How a source labels and bounds its metrics. */
export interface MetricsSourceOptions extends Partial<MetricsBounds> {
  /** sockscope's version, for `sockscope_build_info`. */
  readonly version: string
}

/** The newest tick and its rendered text. */
export class MetricsSource {
  private readonly bounds: MetricsBounds
  private snapshot: SocketSnapshot | null = null
  private sample: HistorySample | null = null
  private findings: readonly Finding[] = []
  private readonly rendered = new Map<ExpositionFormat, string>()

  constructor(private readonly options: MetricsSourceOptions) {
    this.bounds = { topProcesses: options.topProcesses ?? DEFAULT_METRICS_TOP, topDestinations: options.topDestinations ?? DEFAULT_METRICS_TOP }
  }

  /** Takes a new tick: the table, the history's point for it and, when known, the findings that hold. */
  update(tick: { readonly snapshot: SocketSnapshot; readonly sample: HistorySample; readonly findings?: readonly Finding[] }): void {
    this.snapshot = tick.snapshot
    this.sample = tick.sample
    if (tick.findings !== undefined) this.findings = tick.findings
    this.rendered.clear()
  }

  /** Replaces the findings that hold (they change less often than ticks). */
  updateFindings(findings: readonly Finding[]): void {
    this.findings = findings
    this.rendered.clear()
  }

  /** True once a tick has arrived. */
  get ready(): boolean {
    return this.snapshot !== null
  }

  /** The metrics as `format` text; before the first tick, only the build info. */
  render(format: ExpositionFormat): string {
    const cached = this.rendered.get(format)
    if (cached !== undefined) return cached
    const text = renderExposition(this.families(), format)
    this.rendered.set(format, text)
    return text
  }

  private families(): MetricFamily[] {
    const { snapshot, sample } = this
    // No zeros before the first read: a scrape then would report an empty machine.
    if (snapshot === null || sample === null) return [buildInfoFamily(this.options.version)]
    const summary = summarizeSockets(snapshot.sockets, sample.portRange)
    return buildMetricFamilies(
      {
        version: this.options.version,
        sockets: snapshot.sockets,
        processes: summary.processes.values(),
        fileDescriptors: sample.processes,
        ephemeral: summary.ephemeral,
        portRange: sample.portRange,
        findings: this.findings,
        refreshMs: snapshot.refreshMs,
        takenAt: snapshot.takenAt
      },
      this.bounds
    )
  }
}

/**
 * Feeds `source` from a running backend (web mode): each history point with the socket table it
 * was taken from, and the findings whenever they change. Returns the unsubscribe function.
 */
export function followBackend(backend: Backend, source: MetricsSource): () => void {
  return backend.subscribe((event, payload) => {
    if (event === 'history/tick') {
      source.update({ snapshot: backend.sockets.current(), sample: (payload as EventPayload<'history/tick'>).sample })
    } else if (event === 'leaks/findings') {
      source.updateFindings((payload as EventPayload<'leaks/findings'>).active)
    }
  })
}
