/**
 * Building blocks for the typed contract: every request channel carries a valibot schema for
 * its arguments and a phantom type for its result; every pushed event carries a phantom payload type.
 */
import * as v from 'valibot'
import type { GenericSchema, InferOutput } from 'valibot'

/** A request/response channel: arguments checked by `args` at every boundary, result typed. */
export interface RequestDefinition<Args extends GenericSchema, Result> {
  readonly kind: 'request'
  readonly args: Args
  /** Phantom field: never set at runtime, only carries the result type. */
  readonly result?: Result
}

/** A fire-and-forget event pushed from the backend to every client. */
export interface EventDefinition<Payload> {
  readonly kind: 'event'
  /** Phantom field: never set at runtime, only carries the payload type. */
  readonly payload?: Payload
}

/** A request definition still waiting for its result type. */
export interface UntypedRequest<Args extends GenericSchema> extends RequestDefinition<Args, unknown> {
  /** Names the result type: `request(schema).returns<SocketSnapshot>()`. */
  returns<Result>(): RequestDefinition<Args, Result>
}

/** Declares a request channel whose arguments match `args`; chain `.returns<Result>()`. */
export function request<Args extends GenericSchema>(args: Args): UntypedRequest<Args> {
  const definition: RequestDefinition<Args, unknown> = { kind: 'request', args }
  return { ...definition, returns: <Result>() => definition as RequestDefinition<Args, Result> }
}

/** The argument schema of a request that takes no arguments: `{}` and nothing else. */
export const noArguments = v.strictObject({})

/** An argument that must be a whole number from `minimum` to `maximum`, both included. */
export function integerBetween(minimum: number, maximum: number) {
  return v.pipe(v.number(), v.integer(), v.minValue(minimum), v.maxValue(maximum))
}

/** An argument that must be text of `minimum` to `maximum` characters. */
export function textOfLength(minimum: number, maximum: number) {
  return v.pipe(v.string(), v.minLength(minimum), v.maxLength(maximum))
}

/** Declares a pushed event carrying `Payload`. */
export function event<Payload>(): EventDefinition<Payload> {
  return { kind: 'event' }
}

/** The argument type a request definition accepts. */
export type ArgsOf<D> = D extends RequestDefinition<infer A, unknown> ? InferOutput<A> : never
/** The result type a request definition answers with. */
export type ResultOf<D> = D extends RequestDefinition<GenericSchema, infer R> ? R : never
/** The payload type of an event definition. */
export type PayloadOf<D> = D extends EventDefinition<infer P> ? P : never

/**
 * The method name the preload exposes for a channel: `sockets/snapshot` → `socketsSnapshot`,
 * `probe/repeat-start` → `probeRepeatStart`.
 */
export function methodNameFor(channel: string): string {
  return channel
    .split(/[/-]/)
    .map((part, index) => (index === 0 ? part : part.charAt(0).toUpperCase() + part.slice(1)))
    .join('')
}

/** The name of the subscribe method the preload exposes for an event: `sockets/tick` → `onSocketsTick`. */
export function listenerNameFor(channel: string): string {
  const method = methodNameFor(channel)
  return 'on' + method.charAt(0).toUpperCase() + method.slice(1)
}
