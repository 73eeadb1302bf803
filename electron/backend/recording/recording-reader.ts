/**
 * Opens a recording for scrubbing. The file is read once: history points go into a history
 * store, and the tables are kept as segments (a keyframe and the diffs after it), each
 * compressed again in memory, so an opened recording costs about what its file does. The table
 * at a moment is rebuilt from the nearest keyframe before it.
 */
import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'
import { StringDecoder } from 'node:string_decoder'
import { createGunzip, deflateRawSync, inflateRawSync } from 'node:zlib'
import { elementAt } from '../../../shared/element-at'
import type { SocketEntry } from '../../../shared/model/socket'
import type { HistorySample } from '../../../shared/model/history'
import type { Finding } from '../../../shared/model/finding'
import type { RecordingHeader, RecordingInfo, RecordingProblem, TableAt, TableDiff } from '../../../shared/model/recording'
import { applyDiff } from '../sockets/snapshot-diff'
import { socketChanged } from '../../../shared/socket-field-table'
import { HistoryStore } from '../history/history-store'
import { checkHeader, RecordingError, type DiffLine, type FindingsLine, type KeyframeLine } from './recording-format'

/** How an opened recording is held. */
export interface RecordingReadOptions {
  /** History points kept; a longer recording is thinned evenly to fit (7200 by default). */
  readonly historyCapacity?: number
}

interface FrameRef {
  readonly takenAt: number
  readonly tick: number
  readonly segment: number
  /** Index of the frame's line within its segment; 0 is the keyframe. */
  readonly position: number
}

interface DecodedSegment {
  readonly index: number
  readonly lines: readonly string[]
  readonly keyframe: readonly SocketEntry[]
  position: number
  readonly table: Map<string, SocketEntry>
}

/** Longest line a recording may hold: a keyframe of a very busy machine stays far below it. */
const MAX_LINE_LENGTH = 128 * 1024 * 1024

/** The lines of a file, gzip or plain. Throws on a read or decompression error after yielding what came before it. */
async function* readLines(path: string): AsyncGenerator<string> {
  const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new RecordingError(`cannot open ${path}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`)
  })
  const magic = Buffer.alloc(2)
  try {
    await handle.read(magic, 0, 2, 0)
  } finally {
    await handle.close()
  }
  const file = createReadStream(path)
  const isGzip = magic[0] === 0x1f && magic[1] === 0x8b
  const stream = isGzip ? file.pipe(createGunzip()) : file
  if (isGzip) file.on('error', (error) => stream.destroy(error))
  const decoder = new StringDecoder('utf8')
  let parts: string[] = []
  let partLength = 0
  let lineNumber = 1
  try {
    for await (const chunk of stream) {
      const text = decoder.write(chunk as Buffer)
      let start = 0
      for (let newline = text.indexOf('\n'); newline >= 0; newline = text.indexOf('\n', start)) {
        parts.push(text.slice(start, newline))
        yield parts.join('')
        parts = []
        partLength = 0
        lineNumber++
        start = newline + 1
      }
      if (start < text.length) {
        parts.push(text.slice(start))
        partLength += text.length - start
        // A crafted file (a gzip bomb of one endless line) must not fill memory before it fails.
        if (partLength > MAX_LINE_LENGTH) throw new RecordingError(`a line longer than ${MAX_LINE_LENGTH / (1024 * 1024)} MiB`, lineNumber)
      }
    }
  } finally {
    stream.destroy()
    file.destroy()
  }
  const last = parts.join('') + decoder.end()
  if (last !== '') yield last
}

/** Reads only the header of a recording; throws a RecordingError when it is not one. */
export async function readRecordingHeader(path: string): Promise<RecordingHeader> {
  for await (const line of readLines(path)) return checkHeader(parseJson(line, 1))
  throw new RecordingError(`${path} is empty`, 1)
}

function parseJson(text: string, line: number): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    // A first line that is not JSON means some other file was picked, not a damaged recording.
    if (line === 1) throw new RecordingError('not a sockscope recording (it does not start with a JSON header line)', line)
    throw new RecordingError(`not valid JSON (${(error as Error).message})`, line)
  }
}

function isSocketList(value: unknown): value is SocketEntry[] {
  return Array.isArray(value) && value.every((socket) => typeof socket === 'object' && socket !== null && typeof socket.id === 'string' && typeof socket.state === 'string')
}

function checkKeyframe(line: Partial<KeyframeLine>, number: number): void {
  if (typeof line.takenAt !== 'number' || !isSocketList(line.sockets)) {
    throw new RecordingError('a keyframe needs takenAt and a list of sockets with id and state', number)
  }
}

function checkDiff(line: Partial<DiffLine>, number: number): void {
  if (
    typeof line.takenAt !== 'number' ||
    !isSocketList(line.added) ||
    !isSocketList(line.changed) ||
    !Array.isArray(line.removed) ||
    !line.removed.every((id) => typeof id === 'string') ||
    (line.counters !== undefined &&
      !(Array.isArray(line.counters) && line.counters.every((update) => typeof update === 'object' && update !== null && typeof update.id === 'string')))
  ) {
    throw new RecordingError('a diff needs takenAt, added, removed and changed (and counters, when present, each with an id)', number)
  }
}

function checkSample(sample: Partial<HistorySample> | undefined, number: number): HistorySample {
  if (
    typeof sample !== 'object' ||
    sample === null ||
    typeof sample.takenAt !== 'number' ||
    typeof sample.sockets !== 'number' ||
    typeof sample.states !== 'object' ||
    typeof sample.protocols !== 'object' ||
    !Array.isArray(sample.processes) ||
    !Array.isArray(sample.ephemeral) ||
    !Array.isArray(sample.interfaces)
  ) {
    throw new RecordingError('a history point needs takenAt, sockets, states, protocols, processes, ephemeral and interfaces', number)
  }
  return sample as HistorySample
}

/** Says what a stream error means for the reader of a recording. */
function describeReadFailure(error: unknown, lastLine: number): string {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'Z_BUF_ERROR') return `the file ends in the middle of compressed data (cut off while being written?); the ${lastLine} lines before were read`
  if (code === 'Z_DATA_ERROR') return `the compressed data is damaged after line ${lastLine}; the lines before were read`
  return `reading stopped after line ${lastLine}: ${(error as Error).message}`
}

/** An opened recording. */
export class Recording {
  private cache: DecodedSegment | null = null

  constructor(
    readonly path: string,
    readonly header: RecordingHeader,
    private readonly frames: readonly FrameRef[],
    private readonly segments: readonly Buffer[],
    /** The recording's history points, thinned to the capacity when longer. */
    readonly history: HistoryStore,
    /** Finding changes in the order they happened. */
    readonly findingEvents: readonly FindingsLine[],
    readonly samples: number,
    readonly problem: RecordingProblem | null
  ) {}

  /** What the recording holds. */
  info(): RecordingInfo {
    return {
      path: this.path,
      header: this.header,
      start: this.frames[0]?.takenAt ?? null,
      end: this.frames.at(-1)?.takenAt ?? null,
      frames: this.frames.length,
      samples: this.samples,
      problem: this.problem
    }
  }

  /** Epoch milliseconds of every table, oldest first. */
  frameTimes(): number[] {
    return this.frames.map((frame) => frame.takenAt)
  }

  /** The table as it was at `time`: the last one taken at or before it (the first one when `time` is earlier). */
  tableAt(time: number): TableAt {
    const frame = elementAt(this.frames, this.frameIndexAt(time))
    const segment = this.decode(frame.segment)
    if (segment.position > frame.position) {
      segment.table.clear()
      for (const socket of segment.keyframe) segment.table.set(socket.id, socket)
      segment.position = 0
    }
    for (let position = segment.position + 1; position <= frame.position; position++) {
      const text = segment.lines[position]
      if (text === undefined) throw new RecordingError(`${this.path}: segment ${frame.segment} ends before table ${position}`)
      const line = JSON.parse(text) as DiffLine
      applyDiff(segment.table, line)
    }
    segment.position = frame.position
    return { takenAt: frame.takenAt, tick: frame.tick, sockets: [...segment.table.values()] }
  }

  /** What opened, closed and changed between two moments; the earlier one is always `from`. */
  diff(first: number, second: number): TableDiff {
    const [fromTime, toTime] = first <= second ? [first, second] : [second, first]
    const before = this.tableAt(fromTime)
    const after = this.tableAt(toTime)
    const previous = new Map(before.sockets.map((socket) => [socket.id, socket]))
    const opened: SocketEntry[] = []
    const changed: { before: SocketEntry; after: SocketEntry }[] = []
    for (const socket of after.sockets) {
      const old = previous.get(socket.id)
      if (!old) opened.push(socket)
      else {
        previous.delete(socket.id)
        if (socketChanged(old, socket)) changed.push({ before: old, after: socket })
      }
    }
    return { from: before.takenAt, to: after.takenAt, opened, closed: [...previous.values()], changed }
  }

  /** The findings that held at `time`. */
  findingsAt(time: number): Finding[] {
    const active = new Map<string, Finding>()
    for (const event of this.findingEvents) {
      if (event.takenAt > time) break
      for (const finding of event.appeared) active.set(finding.id, finding)
      for (const finding of event.cleared) active.delete(finding.id)
    }
    return [...active.values()]
  }

  private frameIndexAt(time: number): number {
    if (this.frames.length === 0) throw new RecordingError(`${this.path} holds no socket table`)
    let low = 0
    let high = this.frames.length
    while (low < high) {
      const middle = (low + high) >>> 1
      if (elementAt(this.frames, middle).takenAt <= time) low = middle + 1
      else high = middle
    }
    return Math.max(0, low - 1)
  }

  private decode(index: number): DecodedSegment {
    if (this.cache?.index === index) return this.cache
    const lines = inflateRawSync(elementAt(this.segments, index)).toString('utf8').split('\n')
    const [keyframeText = ''] = lines
    const keyframe = (JSON.parse(keyframeText) as KeyframeLine).sockets
    this.cache = { index, lines, keyframe, position: 0, table: new Map(keyframe.map((socket) => [socket.id, socket])) }
    return this.cache
  }
}

/**
 * Reads a recording. A header that is missing or wrong is an error; a damaged or cut-off line
 * later on stops the read there, keeps everything before it, and is reported as `problem`.
 */
export async function openRecording(path: string, options: RecordingReadOptions = {}): Promise<Recording> {
  const capacity = Math.max(2, options.historyCapacity ?? 7200)
  const history = new HistoryStore({ capacity })
  const frames: FrameRef[] = []
  const segments: Buffer[] = []
  const findingEvents: FindingsLine[] = []
  let segmentLines: string[] = []
  let header: RecordingHeader | null = null
  let problem: RecordingProblem | null = null
  let lineNumber = 0
  let samples = 0
  let stride = 1
  let lastFrameTime = -Infinity

  const closeSegment = (): void => {
    if (segmentLines.length > 0) segments.push(deflateRawSync(segmentLines.join('\n')))
    segmentLines = []
  }
  const addFrame = (line: KeyframeLine | DiffLine, text: string): void => {
    // Frames are found by time, so time must not go backwards even if the clock did.
    lastFrameTime = Math.max(lastFrameTime, line.takenAt)
    frames.push({ takenAt: lastFrameTime, tick: typeof line.tick === 'number' ? line.tick : 0, segment: segments.length, position: segmentLines.length })
    segmentLines.push(text)
  }
  const addSample = (sample: HistorySample): void => {
    if (samples % stride === 0) {
      if (history.pointCount() >= capacity) {
        history.thin()
        stride *= 2
      }
      if (samples % stride === 0) history.append(sample)
    }
    samples++
  }

  try {
    for await (const text of readLines(path)) {
      lineNumber++
      if (lineNumber === 1) {
        header = checkHeader(parseJson(text, 1))
        continue
      }
      if (text.trim() === '') continue
      try {
        const line = parseJson(text, lineNumber) as { type?: unknown }
        if (typeof line !== 'object' || line === null) throw new RecordingError('expected a JSON object', lineNumber)
        switch (line.type) {
          case 'keyframe':
            checkKeyframe(line as Partial<KeyframeLine>, lineNumber)
            closeSegment()
            addFrame(line as KeyframeLine, text)
            break
          case 'diff':
            checkDiff(line as Partial<DiffLine>, lineNumber)
            if (segmentLines.length === 0) throw new RecordingError('a diff comes before any full table (keyframe)', lineNumber)
            addFrame(line as DiffLine, text)
            break
          case 'sample':
            addSample(checkSample((line as { sample?: Partial<HistorySample> }).sample, lineNumber))
            break
          case 'findings': {
            const findings = line as Partial<FindingsLine>
            if (typeof findings.takenAt !== 'number' || !Array.isArray(findings.appeared) || !Array.isArray(findings.cleared)) {
              throw new RecordingError('a findings line needs takenAt, appeared and cleared', lineNumber)
            }
            findingEvents.push(findings as FindingsLine)
            break
          }
          default:
            // A header (from an appended member) or a kind of line this build does not know.
            break
        }
      } catch (error) {
        if (!(error instanceof RecordingError)) throw error
        problem = { line: lineNumber, message: error.detail }
        break
      }
    }
  } catch (error) {
    if (header === null) {
      throw error instanceof RecordingError ? error : new RecordingError(`${path} is not a readable recording: ${(error as Error).message}`, 1)
    }
    problem = { line: lineNumber + 1, message: describeReadFailure(error, lineNumber) }
  }
  if (header === null) throw new RecordingError(`${path} is empty`, 1)
  closeSegment()
  return new Recording(path, header, frames, segments, history, findingEvents, samples, problem)
}
