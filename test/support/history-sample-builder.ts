/** Builds HistorySample values for unit tests. */
import type { HistorySample, ProcessSample } from '../../shared/model/history'

/** A process entry: `sockets` ESTABLISHED TCP sockets unless states say otherwise. */
export function buildProcessSample(overrides: Partial<ProcessSample> & { pid: number }): ProcessSample {
  const sockets = overrides.sockets ?? 0
  return {
    name: `proc${overrides.pid}`,
    sockets,
    states: sockets > 0 ? { ESTABLISHED: sockets } : {},
    protocols: { tcp: sockets, udp: 0, unix: 0, raw: 0 },
    fdCount: null,
    fdSoftLimit: null,
    ...overrides
  }
}

/** A history point at `takenAt` with the given processes; the totals add the processes up. */
export function buildSample(takenAt: number, processes: ProcessSample[] = [], overrides: Partial<HistorySample> = {}): HistorySample {
  const states: Record<string, number> = {}
  const protocols = { tcp: 0, udp: 0, unix: 0, raw: 0 }
  let sockets = 0
  for (const process of processes) {
    sockets += process.sockets
    for (const [state, count] of Object.entries(process.states)) states[state] = (states[state] ?? 0) + count
    for (const protocol of ['tcp', 'udp', 'unix', 'raw'] as const) protocols[protocol] += process.protocols[protocol]
  }
  return {
    tick: Math.round(takenAt / 1000),
    takenAt,
    sockets,
    states,
    protocols,
    processes,
    portRange: { low: 32768, high: 60999 },
    ephemeral: [],
    interfaces: [],
    ...overrides
  }
}
