/** Test-listener channels: local TCP and UDP listeners that echo, discard or reply. */
import * as v from 'valibot'
import type { TestListenerInfo } from '../model/probe'
import { event, integerBetween, noArguments, request } from './define'
import { host, identifier, payload } from './target-arguments'

/** Requests and events of the listener domain. */
export const listenerContract = {
  requests: {
    'listener/start': request(
      v.strictObject({
        protocol: v.picklist(['tcp', 'udp']),
        address: v.optional(host),
        port: integerBetween(0, 65535),
        mode: v.picklist(['echo', 'discard', 'reply']),
        reply: v.optional(v.nullable(payload))
      })
    ).returns<TestListenerInfo>(),
    'listener/stop': request(v.strictObject({ id: identifier })).returns<TestListenerInfo>(),
    'listener/list': request(noArguments).returns<readonly TestListenerInfo[]>()
  },
  events: {
    /** A listener's peers and counters changed, or it stopped. */
    'listener/update': event<TestListenerInfo>()
  }
} as const
