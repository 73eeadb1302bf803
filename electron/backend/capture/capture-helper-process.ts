/**
 * Starts the capture helper as a child process and speaks its framed protocol.
 *
 * The helper runs under a plain JavaScript runtime, never inside Electron's own process, because
 * `cap` is a native addon built for one ABI. How it runs:
 * - from sources (tests): `node --import tsx electron/capture-helper/index.ts`;
 * - from the build (CLI, web mode, here): `node out/main/capture-helper.js`, with the same `node`
 *   that runs the CLI, or the `node` on PATH when the caller is Electron;
 * - in a packaged desktop app: either Electron itself as Node (`ELECTRON_RUN_AS_NODE=1` with `cap`
 *   rebuilt for Electron at packaging time: runtime `electron-as-node`) or a system Node (runtime
 *   `node` with its path).
 * Whichever runtime it is needs the capture privilege; see capture-permissions.ts. The
 * environment can choose without code changes: SOCKSCOPE_CAPTURE_RUNTIME (`electron-as-node` or a
 * Node binary's path) and SOCKSCOPE_CAPTURE_HELPER (the helper script).
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process'
import { EventEmitter } from 'node:events'
import { accessSync, constants, realpathSync } from 'node:fs'
import { delimiter, isAbsolute, join } from 'node:path'
import type { Readable, Writable } from 'node:stream'
import type { CaptureDevice, CaptureErrorCode, CaptureStartRequest, CaptureStatistics } from '../../../shared/model/capture'
import { HelperMessageReader, encodeMessage, type ControlMessage, type EndMessage, type HelperMessage, type StartedMessage } from '../../../shared/capture-messages'
import type { RawPacket } from '../../../shared/model/packet'
import { mainBuildDirectory, packageRootDirectory } from '../app-paths'
import { CaptureHelperBusyError, CaptureHelperGate, type GateRelease } from './capture-helper-gate'
import { capturePermissionAdvice, formatCapturePermissionAdvice, type CapturePermissionAdvice } from './capture-permissions'
import { asError } from '../../../shared/error-message'

/** The program that runs the helper script. */
export type CaptureHelperRuntime =
  /** A Node.js binary: `executable` or, by default, the Node running this code (or `node` on PATH under Electron). */
  | { readonly kind: 'node'; readonly executable?: string }
  /** This Electron binary started with ELECTRON_RUN_AS_NODE=1; needs `cap` rebuilt for Electron. */
  | { readonly kind: 'electron-as-node' }

/** How to start the helper; every field has a default. */
export interface CaptureHelperLaunchOptions {
  readonly runtime?: CaptureHelperRuntime
  /** The helper script (.js, or .ts run through tsx). Default: the built helper, or the source when running from sources. */
  readonly helperPath?: string
  /** Words put before the runtime, e.g. ['setpriv', '--reuid=nobody', '--'] to run it as another user. */
  readonly commandPrefix?: readonly string[]
  /** Environment for the helper; defaults to this process's. */
  readonly env?: NodeJS.ProcessEnv
  /** Milliseconds to wait for an answer to a one-shot request, or for a capture to start, before giving up. */
  readonly requestTimeoutMs?: number
}

/** The default of {@link CaptureHelperLaunchOptions.requestTimeoutMs}. */
const DEFAULT_REQUEST_TIMEOUT_MS = 15_000

/** The command line a launch resolves to. */
export interface CaptureHelperCommand {
  readonly command: string
  readonly args: readonly string[]
  readonly env: NodeJS.ProcessEnv
  readonly cwd: string | undefined
  /** The runtime's real path, which is where Linux capabilities have to be set. */
  readonly runtimePath: string
}

/** Why a helper request failed; 'busy' when too many helpers were already starting. */
export type CaptureFailureCode = CaptureErrorCode | 'bad-filter' | 'helper-failed' | 'busy'

/** A capture request that failed, with the helper's own words and, for permissions, what to do. */
export class CaptureError extends Error {
  constructor(
    readonly code: CaptureFailureCode,
    message: string,
    /** Set for 'permission-denied'. */
    readonly advice: CapturePermissionAdvice | null = null
  ) {
    super(message)
    this.name = 'CaptureError'
  }

  /** The message followed by the advice, for a terminal or a dialog. */
  describe(): string {
    return this.advice ? `${this.message}\n${formatCapturePermissionAdvice(this.advice)}` : this.message
  }
}

function findOnPath(name: string, env: NodeJS.ProcessEnv): string {
  if (isAbsolute(name)) return name
  for (const directory of (env.PATH ?? '').split(delimiter)) {
    if (!directory) continue
    const candidate = join(directory, name)
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // Not here; keep looking.
    }
  }
  return name
}

function realPathOrSame(path: string): string {
  try {
    return realpathSync(path)
  } catch {
    return path
  }
}

function runningFromSources(): boolean {
  return __filename.endsWith('.ts')
}

/** The helper script to run when the caller did not name one. */
function defaultHelperPath(): string {
  if (process.env.SOCKSCOPE_CAPTURE_HELPER) return process.env.SOCKSCOPE_CAPTURE_HELPER
  if (runningFromSources()) return join(packageRootDirectory(), 'electron', 'capture-helper', 'index.ts')
  return join(mainBuildDirectory(), 'capture-helper.js')
}

/**
 * The runtime named by SOCKSCOPE_CAPTURE_RUNTIME: `electron-as-node`, or the path of a Node.js
 * binary (e.g. a copy given the capture capabilities). Unset means the default Node.
 */
function runtimeFromEnvironment(env: NodeJS.ProcessEnv): CaptureHelperRuntime {
  const value = env.SOCKSCOPE_CAPTURE_RUNTIME?.trim()
  if (!value) return { kind: 'node' }
  if (value === 'electron-as-node') return { kind: 'electron-as-node' }
  return { kind: 'node', executable: value }
}

/** Resolves launch options to a command line. */
export function resolveCaptureHelperCommand(options: CaptureHelperLaunchOptions = {}): CaptureHelperCommand {
  const baseEnv = options.env ?? process.env
  const helperPath = options.helperPath ?? defaultHelperPath()
  const runtime = options.runtime ?? runtimeFromEnvironment(baseEnv)
  let executable: string
  const env: NodeJS.ProcessEnv = { ...baseEnv }
  if (runtime.kind === 'electron-as-node') {
    executable = process.execPath
    env.ELECTRON_RUN_AS_NODE = '1'
  } else {
    executable = runtime.executable ?? (process.versions.electron ? findOnPath('node', baseEnv) : process.execPath)
    delete env.ELECTRON_RUN_AS_NODE
  }
  const scriptArgs = helperPath.endsWith('.ts') ? ['--import', 'tsx', helperPath] : [helperPath]
  const prefix = options.commandPrefix ?? []
  const [command = executable, ...args] = [...prefix, executable, ...scriptArgs]
  return {
    command,
    args,
    env,
    // tsx is found from the working folder, so a source helper runs from the package root.
    cwd: helperPath.endsWith('.ts') ? packageRootDirectory() : undefined,
    runtimePath: realPathOrSame(findOnPath(executable, baseEnv))
  }
}

type HelperChild = ChildProcessByStdio<Writable, Readable, Readable>

const STDERR_KEPT = 4096

/** A running helper process and its decoded message stream. */
class HelperConnection extends EventEmitter {
  private readonly child: HelperChild
  private readonly reader = new HelperMessageReader()
  private stderrTail = ''
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null
  private readonly exitPromise: Promise<void>

  constructor(readonly command: CaptureHelperCommand) {
    super()
    this.child = spawn(command.command, [...command.args], {
      env: command.env,
      cwd: command.cwd,
      stdio: ['pipe', 'pipe', 'pipe']
    })
    this.child.stdin.on('error', () => {
      // A helper that exited will not read; its exit is reported instead.
    })
    this.child.stdout.on('data', (chunk: Buffer) => {
      let messages: HelperMessage[]
      try {
        messages = this.reader.push(chunk)
      } catch (error) {
        this.emit('protocol-error', asError(error))
        this.kill()
        return
      }
      for (const message of messages) this.emit('message', message)
    })
    this.child.stderr.setEncoding('utf8')
    this.child.stderr.on('data', (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-STDERR_KEPT)
    })
    this.exitPromise = new Promise((resolve) => {
      let spawnError: Error | null = null
      this.child.on('error', (error) => {
        spawnError = error
        // 'close' may not follow a failed spawn.
        if (this.child.pid === undefined) finish(null, null)
      })
      const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
        if (this.exitInfo) return
        this.exitInfo = { code, signal }
        this.emit('exit', code, signal, spawnError)
        resolve()
      }
      // 'close' waits for stdout to end, so every message has been read before it fires.
      this.child.on('close', (code, signal) => finish(code, signal))
    })
  }

  send(message: ControlMessage): void {
    if (!this.child.stdin.destroyed && this.child.stdin.writable) this.child.stdin.write(encodeMessage(message))
  }

  endInput(): void {
    if (!this.child.stdin.destroyed) this.child.stdin.end()
  }

  /** Stops reading the helper's output, so it feels backpressure and counts drops itself. */
  pause(): void {
    this.child.stdout.pause()
  }

  resume(): void {
    this.child.stdout.resume()
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (!this.exitInfo) this.child.kill(signal)
  }

  get exited(): Promise<void> {
    return this.exitPromise
  }

  /** Why the helper ended without answering, for an error message. */
  describeExit(spawnError: Error | null): string {
    if (spawnError) return `cannot start the capture helper (${this.command.command}): ${spawnError.message}`
    const how = this.exitInfo?.signal ? `was killed by ${this.exitInfo.signal}` : `exited with code ${this.exitInfo?.code}`
    const detail = this.stderrTail
      .trim()
      .split('\n')
      .filter((line) => !line.startsWith('Warning: '))
      .slice(-5)
      .join('\n')
    return `the capture helper ${how} without answering${detail ? `:\n${detail}` : ''}`
  }
}

/**
 * One gate for every helper this process starts, whichever client or backend asks: a helper
 * holds its place while it answers a one-shot request, or until its capture has started.
 */
const helperGate = new CaptureHelperGate()

/** Waits for a place to start a helper; a full gate is a CaptureError 'busy'. */
async function enterHelperGate(): Promise<GateRelease> {
  try {
    return await helperGate.enter()
  } catch (error) {
    if (error instanceof CaptureHelperBusyError) throw new CaptureError('busy', error.message)
    throw error
  }
}

/** Starts a helper in a place of the gate; the place is given back when the helper exits at the latest. */
async function connectInGate(command: CaptureHelperCommand): Promise<{ connection: HelperConnection; release: GateRelease }> {
  const release = await enterHelperGate()
  let connection: HelperConnection
  try {
    connection = new HelperConnection(command)
  } catch (error) {
    release()
    throw error
  }
  void connection.exited.then(release)
  return { connection, release }
}

function errorFromMessage(message: HelperMessage, command: CaptureHelperCommand): CaptureError | null {
  if (message.type === 'bad-filter') return new CaptureError('bad-filter', `bad capture filter "${message.filter}": ${message.message}`)
  if (message.type === 'error') {
    const advice = message.code === 'permission-denied' ? capturePermissionAdvice(process.platform, command.runtimePath) : null
    return new CaptureError(message.code, message.message, advice)
  }
  return null
}

/** Sends one request to a fresh helper and waits for the answer `accept` picks. */
async function oneShot<T>(request: ControlMessage, accept: (message: HelperMessage) => T | undefined, options: CaptureHelperLaunchOptions): Promise<T> {
  const command = resolveCaptureHelperCommand(options)
  const { connection } = await connectInGate(command)
  return new Promise<T>((resolve, reject) => {
    let settled = false
    const settle = (outcome: () => void): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      outcome()
      connection.endInput()
    }
    const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
    const timer = setTimeout(() => {
      settle(() => reject(new CaptureError('helper-failed', `the capture helper did not answer "${request.type}" within ${timeoutMs} ms`)))
      connection.kill('SIGKILL')
    }, timeoutMs)
    connection.on('message', (message: HelperMessage) => {
      const error = errorFromMessage(message, command)
      if (error) return settle(() => reject(error))
      const value = accept(message)
      if (value !== undefined) settle(() => resolve(value))
    })
    connection.on('protocol-error', (error: Error) => settle(() => reject(new CaptureError('helper-failed', `the capture helper sent a corrupt message: ${error.message}`))))
    connection.on('exit', (_code: number | null, _signal: NodeJS.Signals | null, spawnError: Error | null) =>
      settle(() => reject(new CaptureError('helper-failed', connection.describeExit(spawnError))))
    )
    connection.send(request)
  })
}

/** Lists the interfaces the helper can capture on, with addresses and (when it may open them) link types. */
export function listCaptureInterfaces(options: CaptureHelperLaunchOptions & { readonly probeLinkTypes?: boolean } = {}): Promise<readonly CaptureDevice[]> {
  return oneShot(
    { type: 'list-interfaces', request: { probeLinkTypes: options.probeLinkTypes ?? true } },
    (message) => (message.type === 'interfaces' ? message.interfaces : undefined),
    options
  )
}

/** The outcome of a filter check that libpcap accepted. */
export interface CompiledFilter {
  readonly interface: string
  readonly filter: string
  readonly linkType: number
}

/**
 * Compiles `filter` for `interfaceName` without starting a capture. Rejects with a CaptureError:
 * 'bad-filter' carries libpcap's own message.
 */
export function compileCaptureFilter(interfaceName: string, filter: string, options: CaptureHelperLaunchOptions = {}): Promise<CompiledFilter> {
  return oneShot(
    { type: 'compile-filter', request: { interface: interfaceName, filter } },
    (message) => (message.type === 'filter-ok' ? { interface: message.interface, filter: message.filter, linkType: message.linkType } : undefined),
    options
  )
}

/** Events of a running capture. */
export interface CaptureHelperSessionEvents {
  packets: [packets: readonly RawPacket[]]
  stats: [stats: CaptureStatistics]
  end: [end: EndMessage]
}

/**
 * A capture running in a helper process. Obtain one with `startCaptureHelper`, which resolves
 * once the interface is open.
 */
export class CaptureHelperSession extends EventEmitter<CaptureHelperSessionEvents> {
  private endMessage: EndMessage | null = null
  private lastStats: CaptureStatistics | null = null
  private readonly endPromise: Promise<EndMessage>
  /** Messages that came with or right after `started`, held until the caller had a chance to listen. */
  private held: HelperMessage[] | null = []

  /** @internal built by startCaptureHelper */
  constructor(
    private readonly connection: HelperConnection,
    /** What the helper reported when the interface opened. */
    readonly started: StartedMessage
  ) {
    super()
    this.endPromise = new Promise((resolve) => {
      const deliver = (message: HelperMessage): void => {
        if (this.endMessage) return
        switch (message.type) {
          case 'packets':
            this.emit('packets', message.packets)
            break
          case 'stats':
            this.lastStats = message.stats
            this.emit('stats', message.stats)
            break
          case 'end':
            this.endMessage = message
            this.emit('end', message)
            resolve(message)
            break
        }
      }
      connection.on('message', (message: HelperMessage) => {
        if (this.held) this.held.push(message)
        else deliver(message)
      })
      // The caller gets the session from a promise, a few microtasks after `started` arrived;
      // setImmediate runs after those, so listeners attached right after `await` see every packet.
      setImmediate(() => {
        const held = this.held ?? []
        this.held = null
        for (const message of held) deliver(message)
      })
      const failWith = (reason: string): void => {
        if (this.endMessage) return
        if (this.held) {
          setImmediate(() => failWith(reason))
          return
        }
        this.endMessage = { type: 'end', reason: 'error', stats: this.lastStats ?? emptyStatistics(), message: reason }
        this.emit('end', this.endMessage)
        resolve(this.endMessage)
      }
      connection.on('protocol-error', (error: Error) => failWith(`the capture helper sent a corrupt message: ${error.message}`))
      connection.on('exit', (_code: number | null, _signal: NodeJS.Signals | null, spawnError: Error | null) => failWith(connection.describeExit(spawnError)))
    })
  }

  /** Resolves with the helper's `end` (or a synthesized one if it died). */
  get ended(): Promise<EndMessage> {
    return this.endPromise
  }

  /** Whether the capture is over. */
  get isEnded(): boolean {
    return this.endMessage !== null
  }

  /**
   * Asks the helper to stop and resolves with its `end` after every packet before it was delivered.
   * A helper that does not answer within `graceMs` is killed.
   */
  async stop(graceMs = 5000): Promise<EndMessage> {
    if (!this.endMessage) {
      this.connection.resume()
      this.connection.send({ type: 'stop' })
      this.connection.endInput()
      const timer = setTimeout(() => this.connection.kill('SIGKILL'), graceMs)
      await this.endPromise
      clearTimeout(timer)
    }
    await this.connection.exited
    return this.endPromise
  }

  /** Stops reading packets; the helper then counts what it cannot send as dropped. */
  pause(): void {
    this.connection.pause()
  }

  /** Reads packets again after pause(). */
  resume(): void {
    this.connection.resume()
  }
}

function emptyStatistics(): CaptureStatistics {
  return { received: 0, receivedBytes: 0, droppedByKernel: null, droppedByInterface: null, droppedByHelper: 0, delivered: 0 }
}

/**
 * Starts a capture. Resolves once the helper has opened the interface; rejects with a CaptureError
 * for a bad filter (nothing was started), a denied permission (with advice) or a missing device.
 */
export async function startCaptureHelper(request: CaptureStartRequest, options: CaptureHelperLaunchOptions = {}): Promise<CaptureHelperSession> {
  const command = resolveCaptureHelperCommand(options)
  const { connection, release } = await connectInGate(command)
  return new Promise<CaptureHelperSession>((resolve, reject) => {
    let settled = false
    const settle = (outcome: () => void): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      outcome()
    }
    // A helper that never answers would otherwise leave the capture 'starting' for good.
    const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
    const timer = setTimeout(() => {
      settle(() => reject(new CaptureError('helper-failed', `the capture helper did not report the capture started within ${timeoutMs} ms`)))
      connection.kill('SIGKILL')
    }, timeoutMs)
    const onMessage = (message: HelperMessage): void => {
      if (settled) return
      const error = errorFromMessage(message, command)
      if (error) {
        settle(() => reject(error))
        connection.endInput()
      } else if (message.type === 'started') {
        connection.off('message', onMessage)
        // A running capture is bounded elsewhere (one per backend); its place goes to the next start.
        release()
        settle(() => resolve(new CaptureHelperSession(connection, message)))
      }
    }
    connection.on('message', onMessage)
    connection.on('protocol-error', (error: Error) => settle(() => reject(new CaptureError('helper-failed', `the capture helper sent a corrupt message: ${error.message}`))))
    connection.on('exit', (_code: number | null, _signal: NodeJS.Signals | null, spawnError: Error | null) =>
      settle(() => reject(new CaptureError('helper-failed', connection.describeExit(spawnError))))
    )
    connection.send({ type: 'start', request })
  })
}
