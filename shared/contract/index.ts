/**
 * The one contract between the backend and every client. Each domain declares its channels in
 * its own file; this index joins them. Both transports (Electron IPC and the web-mode WebSocket)
 * serve exactly these channels.
 */
import type { ArgsOf, PayloadOf, ResultOf } from './define'
import { socketsContract } from './sockets'
import { dnsContract } from './dns'
import { captureContract } from './capture'
import { probeContract } from './probe'
import { listenerContract } from './listener'
import { holderContract } from './holder'
import { historyContract } from './history'
import { leaksContract } from './leaks'
import { recordingContract } from './recording'
import { eventsContract } from './events'
import { actionsContract } from './actions'
import { auditContract } from './audit'
import { focusContract } from './focus'
import { portsContract } from './ports'
import { processesContract } from './processes'

/**
 * Every domain's contract, keyed by its channel prefix: `recording/…` lives in `./recording.ts`,
 * is served by `electron/backend/recording/recording-module.ts` and read by the renderer's
 * `stores/recording.ts`.
 */
export const domainContracts = {
  sockets: socketsContract,
  dns: dnsContract,
  capture: captureContract,
  probe: probeContract,
  listener: listenerContract,
  holder: holderContract,
  history: historyContract,
  leaks: leaksContract,
  recording: recordingContract,
  events: eventsContract,
  actions: actionsContract,
  audit: auditContract,
  focus: focusContract,
  ports: portsContract,
  processes: processesContract
} as const

/** A domain: the prefix of its channels. */
export type Domain = keyof typeof domainContracts

/** Every request channel, keyed by its `domain/action` name. */
export const requestChannels = {
  ...socketsContract.requests,
  ...dnsContract.requests,
  ...captureContract.requests,
  ...probeContract.requests,
  ...listenerContract.requests,
  ...holderContract.requests,
  ...historyContract.requests,
  ...leaksContract.requests,
  ...recordingContract.requests,
  ...eventsContract.requests,
  ...actionsContract.requests,
  ...auditContract.requests,
  ...focusContract.requests,
  ...portsContract.requests,
  ...processesContract.requests
} as const

/** Every pushed event, keyed by its `domain/action` name. */
export const eventChannels = {
  ...socketsContract.events,
  ...dnsContract.events,
  ...captureContract.events,
  ...probeContract.events,
  ...listenerContract.events,
  ...holderContract.events,
  ...historyContract.events,
  ...leaksContract.events,
  ...recordingContract.events,
  ...eventsContract.events,
  ...actionsContract.events,
  ...auditContract.events,
  ...focusContract.events,
  ...portsContract.events,
  ...processesContract.events
} as const

/** A request channel name. */
export type RequestChannel = keyof typeof requestChannels
/** A pushed event name. */
export type EventChannel = keyof typeof eventChannels
/** The arguments of a request channel. */
export type RequestArgs<C extends RequestChannel> = ArgsOf<(typeof requestChannels)[C]>
/** The result of a request channel. */
export type RequestResult<C extends RequestChannel> = ResultOf<(typeof requestChannels)[C]>
/** The payload of an event. */
export type EventPayload<E extends EventChannel> = PayloadOf<(typeof eventChannels)[E]>

/** True when `name` is a request channel of the contract. */
export function isRequestChannel(name: string): name is RequestChannel {
  return Object.prototype.hasOwnProperty.call(requestChannels, name)
}

export { methodNameFor, listenerNameFor } from './define'
export type { ArgumentProblem, ArgumentRule, Envelope, Failure, FailureCode } from './envelope'
export { RequestError } from './envelope'
