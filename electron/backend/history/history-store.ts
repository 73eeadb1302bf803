/**
 * The bounded history: a ring of points kept in typed columns, one column per measured thing.
 *
 * Memory stays bounded however long the app runs: the ring holds at most `capacity` points,
 * and the processes, destinations and interfaces followed are capped; one that has been gone
 * for longer than the ring reaches back is forgotten, and when the cap is reached the one gone
 * longest (or else the quietest) makes room.
 */
import {
  DEFAULT_HISTORY_OPTIONS,
  HISTORY_PROTOCOLS,
  type HistoryInfo,
  type HistoryOptions,
  type HistorySample,
  type NamedSeries,
  type SeriesQuery,
  type SeriesSet,
  destinationKey,
  destinationLabel
} from '../../../shared/model/history'
import { elementAt } from '../../../shared/element-at'
import { TCP_STATES } from '../../../shared/model/socket'
import { HISTORY_COLUMNS, type ColumnSlice, type HistoryView, type SliceSubject, type TrackedProcess } from '../../../shared/model/history-view'

type Column = Int32Array | Float64Array

/** Column names. Values below zero mean "not known" and come out as null. */
const { sockets: SOCKETS, fdCount: FD_COUNT, fdLimit: FD_LIMIT, count: COUNT, stateColumn } = HISTORY_COLUMNS
const INTERFACE_COLUMNS = ['receiveBytesPerSecond', 'transmitBytesPerSecond', 'receivePacketsPerSecond', 'transmitPacketsPerSecond'] as const
const INTERFACE_LABELS: Readonly<Record<(typeof INTERFACE_COLUMNS)[number], string>> = {
  receiveBytesPerSecond: 'in bytes/s',
  transmitBytesPerSecond: 'out bytes/s',
  receivePacketsPerSecond: 'in packets/s',
  transmitPacketsPerSecond: 'out packets/s'
}

function protocolColumn(protocol: string): string {
  return `protocol:${protocol}`
}

/** The value a column holds while its subject is absent. */
function absentValue(column: string): number {
  return column === FD_COUNT || column === FD_LIMIT ? -1 : 0
}

/** One followed subject: the whole table, a process, a destination or an interface. */
interface Track {
  readonly key: string
  label: string
  pid: number | null
  /** Sequence number of the first point the subject was present at. */
  createdSeq: number
  lastSeenSeq: number
  lastSeenAt: number
  readonly floating: boolean
  readonly columns: Map<string, Column>
}

/** Makes a typed column of `length`, filled with the column's absent value. */
function newColumn(length: number, floating: boolean, name: string): Column {
  const column = floating ? new Float64Array(length) : new Int32Array(length)
  const absent = absentValue(name)
  if (absent !== 0) column.fill(absent)
  return column
}

/** A ring of history points in typed columns. */
export class HistoryStore implements HistoryView {
  readonly options: HistoryOptions
  private allocated: number
  private times: Float64Array
  /** Sequence number the next point gets; a point's slot is its sequence modulo `allocated`. */
  private nextSeq = 0
  private length = 0
  private overall: Track
  private readonly processes = new Map<number, Track>()
  private readonly destinations = new Map<string, Track>()
  private readonly interfaces = new Map<string, Track>()
  private latestSample: HistorySample | null = null

  constructor(options: Partial<HistoryOptions> = {}) {
    this.options = { ...DEFAULT_HISTORY_OPTIONS, ...options }
    if (!(Number.isInteger(this.options.capacity) && this.options.capacity >= 2)) {
      throw new Error(`history capacity must be an integer of at least 2, got ${this.options.capacity}`)
    }
    // Start small and double up to the capacity, so a short run never pays for a full hour.
    this.allocated = Math.min(this.options.capacity, 64)
    this.times = new Float64Array(this.allocated)
    this.overall = this.newTrack('overall', 'All sockets', null, false)
  }

  /** Adds one tick's point; when full, the oldest point is dropped. */
  append(sample: HistorySample): void {
    if (this.length === this.allocated && this.allocated < this.options.capacity) this.grow()
    const seq = this.nextSeq++
    const slot = seq % this.allocated
    const previousTime = this.length > 0 ? elementAt(this.times, (seq - 1) % this.allocated) : -Infinity
    // Wall clocks can step back; the axis must not, or window searches break.
    this.times[slot] = Math.max(sample.takenAt, previousTime)
    if (this.length < this.allocated) this.length++
    this.latestSample = sample
    const firstSeq = this.nextSeq - this.length

    this.overall.lastSeenSeq = seq
    this.overall.lastSeenAt = sample.takenAt
    this.writeTrack(this.overall, slot, countValues(sample.sockets, sample.states, sample.protocols))

    const processValues = new Map<number, { name: string; values: Record<string, number> }>()
    for (const process of sample.processes) {
      const values = countValues(process.sockets, process.states, process.protocols)
      values[FD_COUNT] = process.fdCount ?? -1
      values[FD_LIMIT] = process.fdSoftLimit ?? -1
      processValues.set(process.pid, { name: process.name, values })
    }
    this.updateTracks(this.processes, processValues, this.options.maxProcesses, seq, slot, firstSeq, sample.takenAt, (pid, entry) =>
      this.newTrack(String(pid), entry.name, pid, false)
    )

    const destinationValues = new Map<string, { name: string; values: Record<string, number>; pid: number | null }>()
    for (const use of sample.ephemeral) {
      destinationValues.set(destinationKey(use), { name: destinationLabel(use), values: { [COUNT]: use.count }, pid: use.pid })
    }
    this.updateTracks(this.destinations, destinationValues, this.options.maxDestinations, seq, slot, firstSeq, sample.takenAt, (key, entry) =>
      this.newTrack(key, entry.name, entry.pid, false)
    )

    const interfaceValues = new Map<string, { name: string; values: Record<string, number> }>()
    for (const rate of sample.interfaces) {
      const values: Record<string, number> = {}
      for (const column of INTERFACE_COLUMNS) values[column] = rate[column]
      interfaceValues.set(rate.name, { name: rate.name, values })
    }
    this.updateTracks(this.interfaces, interfaceValues, this.options.maxInterfaces, seq, slot, firstSeq, sample.takenAt, (name) => this.newTrack(name, name, null, true))
  }

  /** Number of points held. */
  pointCount(): number {
    return this.length
  }

  /**
   * Drops every other point, keeping the oldest, so a long recording can be read into a
   * bounded history at half the resolution. Only for a history that has never wrapped.
   */
  thin(): void {
    if (this.nextSeq !== this.length) throw new Error('only a history that has never dropped a point can be thinned')
    const kept = Math.ceil(this.length / 2)
    for (let index = 0; index < kept; index++) this.times[index] = elementAt(this.times, index * 2)
    for (const track of this.allTracks()) {
      for (const column of track.columns.values()) for (let index = 0; index < kept; index++) column[index] = elementAt(column, index * 2)
      // Point 2i becomes point i: the first kept point at or after the old creation, the last at or before the old sighting.
      track.createdSeq = Math.ceil(track.createdSeq / 2)
      track.lastSeenSeq = Math.floor(track.lastSeenSeq / 2)
    }
    this.length = kept
    this.nextSeq = kept
  }

  /** The newest point as it was recorded, or null before the first tick. */
  latest(): HistorySample | null {
    return this.latestSample
  }

  /** How much the history holds. */
  info(): HistoryInfo {
    let bytes = this.times.byteLength
    for (const track of this.allTracks()) for (const column of track.columns.values()) bytes += column.byteLength
    return {
      points: this.length,
      capacity: this.options.capacity,
      oldest: this.length > 0 ? this.timeAt(0) : null,
      newest: this.length > 0 ? this.timeAt(this.length - 1) : null,
      trackedProcesses: this.processes.size,
      bytes
    }
  }

  /** The processes followed right now. */
  trackedProcesses(): TrackedProcess[] {
    const newestSeq = this.nextSeq - 1
    return [...this.processes.values()].map((track) => ({
      pid: track.pid ?? 0,
      name: track.label,
      lastSeenAt: track.lastSeenAt,
      present: track.lastSeenSeq === newestSeq
    }))
  }

  /** Known values of one column since `sinceMs` (inclusive), oldest first. */
  columnSlice(subject: SliceSubject, column: string, sinceMs = -Infinity): ColumnSlice {
    const track = subject.kind === 'overall' ? this.overall : subject.kind === 'process' ? this.processes.get(subject.pid) : this.destinations.get(subject.key)
    const times: number[] = []
    const values: number[] = []
    const data = track?.columns.get(column)
    if (!track || !data) return { times, values }
    const [start, end] = this.indexRange(sinceMs, Infinity)
    const firstSeq = this.nextSeq - this.length
    for (let index = Math.max(start, track.createdSeq - firstSeq); index < end; index++) {
      const value = elementAt(data, (firstSeq + index) % this.allocated)
      if (value < 0) continue
      times.push(this.timeAt(index))
      values.push(value)
    }
    return { times, values }
  }

  /** Series for a chart. */
  series(query: SeriesQuery): SeriesSet {
    const [start, end] = this.indexRange(query.from ?? -Infinity, query.to ?? Infinity)
    const times: number[] = []
    for (let index = start; index < end; index++) times.push(this.timeAt(index))
    const read = (track: Track, column: string): (number | null)[] => this.readColumn(track, column, start, end)
    const top = Math.max(1, Math.min(query.top ?? 10, 100))
    let series: NamedSeries[] = []

    switch (query.kind) {
      case 'states':
      case 'protocols': {
        const track = query.pid === undefined ? this.overall : this.processes.get(query.pid)
        if (!track) break
        const prefix = query.kind === 'states' ? 'state:' : 'protocol:'
        for (const column of this.columnOrder(track, prefix)) {
          const values = read(track, column)
          if (!values.some((value) => value !== null && value > 0)) continue
          const name = column.slice(prefix.length)
          series.push({
            key: name,
            label: name,
            values,
            ...(query.kind === 'states' ? { state: name } : {}),
            ...(query.pid !== undefined ? { pid: query.pid } : {})
          })
        }
        break
      }
      case 'process-sockets': {
        series = this.busiest(
          this.processesAtEnd(end).map((track) => ({
            key: `pid:${track.pid}`,
            label: `${track.label} (${track.pid})`,
            values: read(track, SOCKETS),
            pid: track.pid ?? undefined
          })),
          top
        )
        break
      }
      case 'file-descriptors': {
        const tracks = query.pid !== undefined ? [this.processes.get(query.pid)].filter((track): track is Track => track !== undefined) : this.fullestProcesses(start, end, top)
        for (const track of tracks) {
          const pid = track.pid ?? 0
          series.push({ key: `pid:${pid}:fd`, label: `${track.label} (${pid}) open fds`, values: read(track, FD_COUNT), pid })
          series.push({ key: `pid:${pid}:limit`, label: `${track.label} (${pid}) soft limit`, values: read(track, FD_LIMIT), pid })
        }
        break
      }
      case 'ephemeral': {
        series = this.busiest(
          [...this.destinations.values()].map((track) => ({
            key: track.key,
            label: track.label,
            values: read(track, COUNT),
            ...(track.pid !== null ? { pid: track.pid } : {})
          })),
          top
        )
        break
      }
      case 'interfaces': {
        for (const track of this.interfaces.values()) {
          for (const column of INTERFACE_COLUMNS) {
            const values = read(track, column)
            // Idle interfaces (dummy, down) would only add flat lines and legend entries.
            if (!values.some((value) => value !== null && value > 0)) continue
            series.push({ key: `${track.key}:${column}`, label: `${track.label} ${INTERFACE_LABELS[column]}`, values })
          }
        }
        break
      }
    }
    return downsample({ kind: query.kind, times, series }, query.maxPoints)
  }

  /** Epoch milliseconds of the point at logical `index` (0 is the oldest). */
  private timeAt(index: number): number {
    return elementAt(this.times, (this.nextSeq - this.length + index) % this.allocated)
  }

  /** Logical indices [start, end) of the points within [from, to]. */
  private indexRange(from: number, to: number): [number, number] {
    const lowerBound = (time: number, inclusive: boolean): number => {
      let low = 0
      let high = this.length
      while (low < high) {
        const middle = (low + high) >>> 1
        const value = this.timeAt(middle)
        if (value < time || (inclusive && value === time)) low = middle + 1
        else high = middle
      }
      return low
    }
    const start = lowerBound(from, false)
    const end = lowerBound(to, true)
    return [start, Math.max(start, end)]
  }

  private readColumn(track: Track, column: string, start: number, end: number): (number | null)[] {
    const data = track.columns.get(column)
    const firstSeq = this.nextSeq - this.length
    const values: (number | null)[] = new Array(end - start)
    for (let index = start; index < end; index++) {
      const seq = firstSeq + index
      if (seq < track.createdSeq) {
        values[index - start] = null
        continue
      }
      const raw = data ? elementAt(data, seq % this.allocated) : absentValue(column)
      values[index - start] = raw < 0 ? null : raw
    }
    return values
  }

  /** A track's columns under `prefix`, in the order states or protocols are usually listed. */
  private columnOrder(track: Track, prefix: string): string[] {
    const order: string[] = prefix === 'state:' ? [...TCP_STATES, 'UNCONN', 'CONNECTING', 'DISCONNECTING', 'OTHER'] : [...HISTORY_PROTOCOLS]
    return order.map((name) => prefix + name).filter((column) => track.columns.has(column))
  }

  private busiest(series: NamedSeries[], top: number): NamedSeries[] {
    const peak = (values: readonly (number | null)[]): number => values.reduce<number>((most, value) => Math.max(most, value ?? 0), 0)
    return series
      .map((entry) => ({ entry, peak: peak(entry.values) }))
      .filter((ranked) => ranked.peak > 0)
      .sort((a, b) => b.peak - a.peak)
      .slice(0, top)
      .map((ranked) => ranked.entry)
  }

  /**
   * The processes still seen at the last point of a window ending at logical index `end`
   * (exclusive): one that exited before it (or no longer held sockets) gives way in a top list,
   * however high it peaked. Its own series can still be asked for by pid.
   */
  private processesAtEnd(end: number): Track[] {
    const lastSeq = this.nextSeq - this.length + end - 1
    return [...this.processes.values()].filter((track) => track.lastSeenSeq >= lastSeq)
  }

  private fullestProcesses(start: number, end: number, top: number): Track[] {
    const ranked: Array<{ track: Track; ratio: number }> = []
    for (const track of this.processesAtEnd(end)) {
      const counts = this.readColumn(track, FD_COUNT, start, end)
      const limits = this.readColumn(track, FD_LIMIT, start, end)
      let ratio = -1
      for (const [index, count] of counts.entries()) {
        const limit = limits[index]
        if (count !== null && limit != null && limit > 0) ratio = Math.max(ratio, count / limit)
      }
      if (ratio >= 0) ranked.push({ track, ratio })
    }
    return ranked
      .sort((a, b) => b.ratio - a.ratio)
      .slice(0, top)
      .map((entry) => entry.track)
  }

  private newTrack(key: string, label: string, pid: number | null, floating: boolean): Track {
    return { key, label, pid, createdSeq: this.nextSeq - 1, lastSeenSeq: -1, lastSeenAt: 0, floating, columns: new Map() }
  }

  /**
   * Writes this point for every followed subject of one kind: present ones get their values,
   * absent ones their absent value. Subjects gone for longer than the ring reaches are dropped;
   * new ones get a track while there is room or one can be evicted.
   */
  private updateTracks<K, E extends { name: string; values: Record<string, number>; pid?: number | null }>(
    tracks: Map<K, Track>,
    present: ReadonlyMap<K, E>,
    limit: number,
    seq: number,
    slot: number,
    firstSeq: number,
    takenAt: number,
    create: (key: K, entry: E) => Track
  ): void {
    for (const [key, track] of tracks) {
      const entry = present.get(key)
      if (entry) {
        track.label = entry.name || track.label
        if (entry.pid !== undefined) track.pid = entry.pid
        track.lastSeenSeq = seq
        track.lastSeenAt = takenAt
        this.writeTrack(track, slot, entry.values)
      } else if (track.lastSeenSeq < firstSeq) {
        tracks.delete(key)
      } else {
        this.writeTrack(track, slot, null)
      }
    }
    for (const [key, entry] of present) {
      if (tracks.has(key)) continue
      if (tracks.size >= limit && !evictOne(tracks, seq)) continue
      const track = create(key, entry)
      track.lastSeenSeq = seq
      track.lastSeenAt = takenAt
      this.writeTrack(track, slot, entry.values)
      tracks.set(key, track)
    }
  }

  private writeTrack(track: Track, slot: number, values: Record<string, number> | null): void {
    for (const [name, column] of track.columns) column[slot] = values?.[name] ?? absentValue(name)
    if (!values) return
    for (const [name, value] of Object.entries(values)) {
      if (track.columns.has(name)) continue
      const column = newColumn(this.allocated, track.floating, name)
      column[slot] = value
      track.columns.set(name, column)
    }
  }

  private *allTracks(): Iterable<Track> {
    yield this.overall
    yield* this.processes.values()
    yield* this.destinations.values()
    yield* this.interfaces.values()
  }

  /** Doubles the ring while it has not wrapped yet, so slots keep their positions. */
  private grow(): void {
    const size = Math.min(this.options.capacity, this.allocated * 2)
    const times = new Float64Array(size)
    times.set(this.times)
    this.times = times
    for (const track of this.allTracks()) {
      for (const [name, column] of track.columns) {
        const bigger = newColumn(size, track.floating, name)
        bigger.set(column)
        track.columns.set(name, bigger)
      }
    }
    this.allocated = size
  }
}

/** Values of the count columns shared by the whole table and each process. */
function countValues(sockets: number, states: Readonly<Record<string, number>>, protocols: Readonly<Record<string, number>>): Record<string, number> {
  const values: Record<string, number> = { [SOCKETS]: sockets }
  for (const [state, count] of Object.entries(states)) {
    const column = stateColumn(state)
    values[column] = (values[column] ?? 0) + count
  }
  for (const [protocol, count] of Object.entries(protocols)) if (count > 0) values[protocolColumn(protocol)] = count
  return values
}

/**
 * Makes room for one more track: the one absent longest goes first; when every track was seen
 * this tick there is no room and the newcomer is not followed.
 */
function evictOne<K>(tracks: Map<K, Track>, seq: number): boolean {
  let victim: K | undefined
  let oldest = Infinity
  for (const [key, track] of tracks) {
    if (track.lastSeenSeq < seq && track.lastSeenSeq < oldest) {
      oldest = track.lastSeenSeq
      victim = key
    }
  }
  if (victim === undefined) return false
  tracks.delete(victim)
  return true
}

/** Averages runs of neighbouring points so at most `maxPoints` remain; nulls are skipped. */
export function downsample(set: SeriesSet, maxPoints: number | undefined): SeriesSet {
  if (maxPoints === undefined || maxPoints < 2 || set.times.length <= maxPoints) return set
  const bucket = Math.ceil(set.times.length / maxPoints)
  const times: number[] = []
  for (let start = 0; start < set.times.length; start += bucket) {
    const run = set.times.slice(start, start + bucket)
    const [first] = run
    const last = run.at(-1)
    if (first !== undefined && last !== undefined) times.push((first + last) / 2)
  }
  const series = set.series.map((entry) => {
    const values: (number | null)[] = []
    for (let start = 0; start < entry.values.length; start += bucket) {
      let sum = 0
      let count = 0
      for (const value of entry.values.slice(start, start + bucket)) {
        if (value === null) continue
        sum += value
        count++
      }
      values.push(count > 0 ? sum / count : null)
    }
    return { ...entry, values }
  })
  return { kind: set.kind, times, series }
}
