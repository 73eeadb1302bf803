/** Streams ticks into a recording file as they happen. */
import type { WriteStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { hostname } from 'node:os'
import { once } from 'node:events'
import { constants, createGzip, type Gzip } from 'node:zlib'
import type { SocketDiff, SocketSnapshot } from '../../../shared/model/socket'
import type { HistorySample } from '../../../shared/model/history'
import type { FindingsUpdate } from '../../../shared/model/finding'
import type { RecordingHeader, RecordingSummary } from '../../../shared/model/recording'
import { diffSnapshots } from '../sockets/snapshot-diff'
import { RECORDING_FORMAT, RECORDING_VERSION, RecordingError, type RecordingLine } from './recording-format'
import { readRecordingHeader } from './recording-reader'
import { openForWriting, UnsafePathError } from '../storage/safe-open'
import { errorMessage } from '../../../shared/error-message'

/** How a recording is written. */
export interface RecordingWriterOptions {
  /** A full table every this many ticks (300 by default: five minutes at 1 Hz). */
  readonly keyframeEvery?: number
  /** The poll interval, kept in the header. */
  readonly intervalMs?: number | null
  /** Pushes compressed data to disk at least this often, so a crash loses little. */
  readonly flushIntervalMs?: number
  /** Adds to an existing recording instead of replacing it. */
  readonly append?: boolean
  /** Refuses a path where anything already is, instead of replacing it. */
  readonly exclusive?: boolean
}

/** What one tick adds to a recording. */
export interface RecordedTickLines {
  readonly snapshot: SocketSnapshot
  /** The live diff against the previous snapshot, reused when it fits. */
  readonly diff?: SocketDiff
  readonly sample?: HistorySample
  readonly findings?: FindingsUpdate
}

/** Appends ticks to a gzip JSON-lines recording. Calls may overlap; lines are written in call order. */
export class RecordingWriter {
  private previous: SocketSnapshot | null = null
  private sinceKeyframe = 0
  private ticks = 0
  private lastFlush = Date.now()
  private queue: Promise<void> = Promise.resolve()
  private failure: Error | null = null
  /** Waits under way (for 'drain', for a flush), released when the file fails. */
  private readonly waiting = new Set<() => void>()
  private closed = false

  private constructor(
    readonly path: string,
    private readonly gzip: Gzip,
    private readonly file: WriteStream,
    private readonly keyframeEvery: number,
    private readonly flushIntervalMs: number
  ) {
    const fail = (error: Error): void => {
      this.failure ??= new RecordingError(`cannot write ${path}: ${error.message}`)
      // A failed file is unpiped and never drains: whatever waits on it must hear of the failure instead.
      for (const release of this.waiting) release()
      this.waiting.clear()
    }
    gzip.on('error', fail)
    file.on('error', fail)
  }

  /**
   * Opens `path` for writing; with `append`, an existing recording is extended. A new file is
   * 0600, and a symbolic link at `path` is refused rather than followed.
   */
  static async open(path: string, options: RecordingWriterOptions = {}): Promise<RecordingWriter> {
    const keyframeEvery = Math.max(1, Math.floor(options.keyframeEvery ?? 300))
    let appending = false
    if (options.append) {
      const size = await stat(path).then(
        (info) => info.size,
        () => 0
      )
      if (size > 0) {
        await readRecordingHeader(path)
        appending = true
      }
    }
    const handle = await openForWriting(path, { append: appending, exclusive: options.exclusive }).catch((error: unknown) => {
      throw new RecordingError(error instanceof UnsafePathError ? error.message : `cannot write ${path}: ${errorMessage(error)}`)
    })
    const file = handle.createWriteStream()
    const gzip = createGzip()
    gzip.pipe(file)
    const writer = new RecordingWriter(path, gzip, file, keyframeEvery, options.flushIntervalMs ?? 5000)
    if (!appending) {
      const header: RecordingHeader = {
        type: 'header',
        format: RECORDING_FORMAT,
        version: RECORDING_VERSION,
        createdAt: Date.now(),
        keyframeEvery,
        intervalMs: options.intervalMs ?? null,
        hostname: hostname(),
        platform: process.platform
      }
      await writer.enqueue(async () => writer.writeLine(header))
    }
    return writer
  }

  /** Number of ticks written so far. */
  tickCount(): number {
    return this.ticks
  }

  /** Writes one tick: its table (full or as a diff), its history point and any finding changes. */
  writeTick(lines: RecordedTickLines): Promise<void> {
    if (this.closed) return Promise.reject(new RecordingError(`${this.path} is already closed`))
    return this.enqueue(async () => {
      const { snapshot } = lines
      if (this.previous === null || this.sinceKeyframe >= this.keyframeEvery) {
        await this.writeLine({
          type: 'keyframe',
          tick: snapshot.tick,
          takenAt: snapshot.takenAt,
          partialOwnership: snapshot.partialOwnership,
          sockets: snapshot.sockets
        })
        this.sinceKeyframe = 1
      } else {
        const diff = lines.diff && lines.diff.previousTick === this.previous.tick && lines.diff.tick === snapshot.tick ? lines.diff : diffSnapshots(this.previous, snapshot)
        await this.writeLine({
          type: 'diff',
          tick: snapshot.tick,
          takenAt: snapshot.takenAt,
          partialOwnership: snapshot.partialOwnership,
          added: diff.added,
          removed: diff.removed,
          changed: diff.changed,
          counters: diff.counters
        })
        this.sinceKeyframe++
      }
      this.previous = snapshot
      if (lines.sample) await this.writeLine({ type: 'sample', sample: lines.sample })
      const findings = lines.findings
      // The first tick carries every finding already holding, so a recording started mid-session knows them.
      const appeared = findings ? (this.ticks === 0 ? findings.active : findings.appeared) : []
      if (findings && (appeared.length > 0 || findings.cleared.length > 0)) {
        await this.writeLine({ type: 'findings', takenAt: findings.takenAt, appeared, cleared: this.ticks === 0 ? [] : findings.cleared })
      }
      this.ticks++
      if (Date.now() - this.lastFlush >= this.flushIntervalMs) await this.flush()
    })
  }

  /** Finishes the gzip stream and closes the file. */
  async close(): Promise<RecordingSummary> {
    if (!this.closed) {
      this.closed = true
      await this.queue.catch(() => undefined)
      this.gzip.end()
      // 'close' comes once the data is on disk, or right after an error; a file already closed sends nothing more.
      if (!this.file.closed) await once(this.file, 'close').catch(() => undefined)
    }
    if (this.failure) throw this.failure
    const bytes = await stat(this.path).then(
      (info) => info.size,
      () => 0
    )
    return { path: this.path, ticks: this.ticks, bytes }
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(async () => {
      if (this.failure) throw this.failure
      await task()
    })
    this.queue = run.catch(() => undefined)
    return run
  }

  private async writeLine(line: RecordingLine): Promise<void> {
    if (!this.gzip.write(JSON.stringify(line) + '\n')) await this.waitUnlessFailed((done) => this.gzip.once('drain', done))
    if (this.failure) throw this.failure
  }

  private async flush(): Promise<void> {
    this.lastFlush = Date.now()
    await this.waitUnlessFailed((done) => this.gzip.flush(constants.Z_SYNC_FLUSH, done))
    if (this.failure) throw this.failure
  }

  /** Starts a wait and resolves when it ends or when the file fails, whichever comes first. */
  private waitUnlessFailed(start: (done: () => void) => void): Promise<void> {
    return new Promise((resolve) => {
      if (this.failure) return resolve()
      const done = (): void => {
        this.waiting.delete(done)
        resolve()
      }
      this.waiting.add(done)
      start(done)
    })
  }
}
