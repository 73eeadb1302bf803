/** How a domain plugs into the backend: it gets a context and returns its request handlers. */
import type { EventChannel, EventPayload, RequestArgs, RequestChannel, RequestResult } from '../../shared/contract'
import type { ActionActor } from '../../shared/model/action'
import type { ActionPolicy, RemoteTargetGate } from './action-policy'
import type { SystemActionPolicy } from './actions/system-action-gate'
import type { SharedHistory } from './history/shared-history'
import type { CloseEventSource } from './platform/platform'
import type { SocketMonitor } from './sockets/socket-monitor'
import type { SocketFirstSeen } from './sockets/socket-first-seen'
import type { PrivateFolder } from './storage/private-folder'

/** Options every domain may read. */
export interface BackendOptions {
  /** Socket poll interval in milliseconds. */
  readonly intervalMs: number
  /** Look up names for remote addresses in the background. */
  readonly resolveNames: boolean
  /** Where domains keep files they own (settings, recordings, temporary capture files). */
  readonly dataDirectory: string
  /** How much history to keep, in minutes of wall time at the poll interval. */
  readonly historyMinutes: number
  /** What clients may aim at machines other than this one; the host decides, never a client. */
  readonly actionPolicy: ActionPolicy
  /** Whether clients may close connections and stop processes; the host decides, never a client. */
  readonly systemActions: SystemActionPolicy
}

/** Who sent a request, as the transport that carried it tells: for the action log. */
export interface RequestCaller {
  readonly actor: ActionActor
  /** The client in words: `desktop window`, `web client 3`. */
  readonly label: string
}

/** The caller of a request that came through no transport (tests, code in the same process). */
export const IN_PROCESS_CALLER: RequestCaller = { actor: 'in-process', label: 'in-process client' }

/** What each domain receives when the backend starts. */
export interface BackendContext {
  readonly options: BackendOptions
  /** The data folder; every file a domain writes goes through it. */
  readonly data: PrivateFolder
  /** The live socket table every domain can read or follow. */
  readonly sockets: SocketMonitor
  /** When each socket of the live table was first seen (the focus view's and port helper's ages). */
  readonly firstSeen: SocketFirstSeen
  /** Every TCP socket the OS frees, as it happens. */
  readonly closeEvents: CloseEventSource
  /** The live history, its leak detector and recording, and the opened recording's history. */
  readonly history: SharedHistory
  /**
   * The host's gate for targets beyond this machine, shared by every domain that aims at one
   * (probes, listeners, the holder), so questions go to the user one at a time.
   */
  readonly remoteTargets: RemoteTargetGate
  /** Pushes an event to every connected client. */
  emit<E extends EventChannel>(event: E, payload: EventPayload<E>): void
}

/** A handler for one request channel; its arguments are already validated. */
export type RequestHandler<C extends RequestChannel> = (args: RequestArgs<C>, caller: RequestCaller) => Promise<RequestResult<C>> | RequestResult<C>

/** Handlers for some of the contract's channels. */
export type HandlerMap = { readonly [C in RequestChannel]?: RequestHandler<C> }

/** A domain's running part. */
export interface BackendModule {
  readonly handlers: HandlerMap
  /** Releases everything the domain holds (listeners, child processes, files). */
  dispose?(): Promise<void> | void
}

/** Creates a domain's running part. */
export type BackendModuleFactory = (context: BackendContext) => BackendModule
