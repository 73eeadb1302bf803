/**
 * The one contract between the backend and every client. Each domain declares its channels in
 * its own file; this index joins them. Both transports (Electron IPC and the web-mode WebSocket)
 * serve exactly these channels.
 */
import type { ArgsOf, PayloadOf, ResultOf } from './define'
import { socketsContract } from './sockets'
import { captureContract } from './capture'
import { probeContract } from './probe'
import { historyContract } from './history'

/** Every request channel, keyed by its `domain/action` name. */
export const requestChannels = {
  ...socketsContract.requests,
  ...captureContract.requests,
  ...probeContract.requests,
  ...historyContract.requests
} as const

/** Every pushed event, keyed by its `domain/action` name. */
export const eventChannels = {
  ...socketsContract.events,
  ...captureContract.events,
  ...probeContract.events,
  ...historyContract.events
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
export type { Envelope, Failure, FailureCode } from './envelope'
export { RequestError } from './envelope'
