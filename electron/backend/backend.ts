/**
 * The backend: every domain behind one `handle(channel, args)` entry and one event stream.
 * Electron IPC and the web-mode WebSocket are two thin transports over this object.
 */
import * as v from 'valibot'
import { isRequestChannel, requestChannels, type EventChannel, type EventPayload, type RequestChannel } from '../../shared/contract'
import { RequestError, type Envelope, type FailureCode } from '../../shared/contract/envelope'
import { argumentProblems } from '../../shared/contract/argument-problems'
import { failureText } from '../../shared/format/failure-text'
import { LOOPBACK_ONLY_POLICY, RemoteTargetGate } from './action-policy'
import { ACTIONS_OFF_POLICY } from './actions/system-action-gate'
import { IN_PROCESS_CALLER, type BackendContext, type BackendModule, type BackendOptions, type RequestCaller, type RequestHandler } from './backend-module'
import { backendModules } from './modules'
import { SharedHistory } from './history/shared-history'
import { SocketMonitor } from './sockets/socket-monitor'
import { SocketFirstSeen } from './sockets/socket-first-seen'
import type { CloseEventSource, SocketProvider } from './platform/platform'
import { createCloseEventSource, createSocketProvider } from './platform/create-platform'
import { chooseDataDirectory } from './storage/data-directory'
import { PrivateFolder } from './storage/private-folder'
import { errorMessage } from '../../shared/error-message'

/** Receives every pushed event. */
export type EventListener = <E extends EventChannel>(event: E, payload: EventPayload<E>) => void

/** The running backend. */
export interface Backend {
  /**
   * Validates `rawArgs` against the channel's schema and runs its handler. Never throws.
   * `caller` is who the transport carried it for (the action log names it).
   */
  handle(channel: string, rawArgs: unknown, caller?: RequestCaller): Promise<Envelope<unknown>>
  /** Subscribes to pushed events; returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void
  /** The live socket table. */
  readonly sockets: SocketMonitor
  /** Stops polling and releases every domain's resources (listeners, helpers, files). */
  dispose(): Promise<void>
}

/** Options to start a backend with; every field has a default. */
export interface CreateBackendOptions extends Partial<BackendOptions> {
  /** Replaces the OS provider (tests, other platforms). */
  readonly provider?: SocketProvider
  /** Replaces the OS close events (tests, other platforms). */
  readonly closeEvents?: CloseEventSource
  /** Start polling at once; true by default. */
  readonly autoStart?: boolean
}

/** Starts the backend with every domain in `backendModules`. */
export function createBackend(options: CreateBackendOptions = {}): Backend {
  const resolved: BackendOptions = {
    intervalMs: options.intervalMs ?? 1000,
    resolveNames: options.resolveNames ?? true,
    dataDirectory: options.dataDirectory ?? chooseDataDirectory().path,
    historyMinutes: options.historyMinutes ?? 60,
    actionPolicy: options.actionPolicy ?? LOOPBACK_ONLY_POLICY,
    systemActions: options.systemActions ?? ACTIONS_OFF_POLICY
  }
  const sockets = new SocketMonitor(options.provider ?? createSocketProvider(), { intervalMs: resolved.intervalMs })
  const history = new SharedHistory(sockets, resolved)
  const firstSeen = new SocketFirstSeen(sockets)
  const listeners = new Set<EventListener>()
  const context: BackendContext = {
    options: resolved,
    data: new PrivateFolder(resolved.dataDirectory),
    sockets,
    firstSeen,
    closeEvents: options.closeEvents ?? createCloseEventSource(),
    history,
    remoteTargets: new RemoteTargetGate(resolved.actionPolicy),
    emit(event, payload) {
      // One failing client (a payload it cannot serialize, a closed window) must not starve the others
      // or throw into the timer that emitted.
      for (const listener of listeners) {
        try {
          listener(event, payload)
        } catch (error) {
          process.emitWarning(`sockscope: a listener of ${event} failed: ${errorMessage(error)}`)
        }
      }
    }
  }
  const started = Object.entries(backendModules).map(([domain, factory]) => [domain, factory(context)] as const)
  const modules: BackendModule[] = started.map(([, module]) => module)
  const handlers = handlersByChannel(started)
  if (options.autoStart ?? true) sockets.start()

  return {
    sockets,
    async handle(channel, rawArgs, caller = IN_PROCESS_CALLER) {
      if (!isRequestChannel(channel)) return failure('unknown-channel', `unknown channel "${channel}"`)
      const handler = handlers.get(channel)
      if (!handler) return failure('unsupported', `${channel} is not available in this build`)
      const parsed = v.safeParse(requestChannels[channel].args, rawArgs ?? {})
      if (!parsed.success) {
        // Sentences and data, never valibot's summary: the message reaches people as it is.
        const problems = argumentProblems(parsed.issues)
        return { ok: false, error: { code: 'invalid-arguments', message: failureText({ code: 'invalid-arguments', message: '', problems }), problems } }
      }
      try {
        const value = await handler(parsed.output as never, caller)
        return { ok: true, value }
      } catch (error) {
        if (error instanceof RequestError) return failure(error.code, error.message)
        return failure('failed', errorMessage(error))
      }
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    async dispose() {
      sockets.stop()
      // The tick under way finishes and any recording closes before the domains let go of their parts.
      await history.dispose()
      for (const module of modules.reverse()) await module.dispose?.()
      firstSeen.dispose()
      listeners.clear()
    }
  }
}

/**
 * Every module's handlers by channel. A module serves only its own domain's channels
 * (`recording/…` in the recording module), so the file serving a channel can be told from its name.
 */
export function handlersByChannel(modules: Iterable<readonly [string, BackendModule]>): Map<string, RequestHandler<RequestChannel>> {
  const handlers = new Map<string, RequestHandler<RequestChannel>>()
  for (const [domain, module] of modules) {
    for (const [channel, handler] of Object.entries(module.handlers)) {
      if (!channel.startsWith(`${domain}/`)) throw new Error(`the ${domain} module handles ${channel}, a channel of another domain`)
      if (handlers.has(channel)) throw new Error(`two domains handle ${channel}`)
      handlers.set(channel, handler as RequestHandler<RequestChannel>)
    }
  }
  return handlers
}

function failure(code: FailureCode, message: string): Envelope<never> {
  return { ok: false, error: { code, message } }
}
