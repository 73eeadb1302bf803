/** The typed shape of what the Electron preload exposes as `window.sockscope`. */
import type { EventChannel, EventPayload, RequestArgs, RequestChannel, RequestResult } from './index'
import type { Envelope } from './envelope'

type CamelCase<S extends string> = S extends `${infer Head}/${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S extends `${infer Head}-${infer Tail}`
    ? `${Head}${Capitalize<CamelCase<Tail>>}`
    : S

/** One method per request channel (`sockets/snapshot` → `socketsSnapshot`). */
export type BridgeRequestMethods = {
  readonly [C in RequestChannel as CamelCase<C>]: (args: RequestArgs<C>) => Promise<Envelope<RequestResult<C>>>
}

/** One subscribe method per event (`sockets/tick` → `onSocketsTick`); each returns its unsubscribe function. */
export type BridgeEventMethods = {
  readonly [E in EventChannel as `on${Capitalize<CamelCase<E>>}`]: (listener: (payload: EventPayload<E>) => void) => () => void
}

/** `window.sockscope` in the desktop app. */
export type SockscopeBridge = BridgeRequestMethods & BridgeEventMethods
