/** Close-event channels: every closed TCP connection, attributed where a poll saw it open. */
import * as v from 'valibot'
import type { ClosedConnectionsUpdate, CloseEventsStatus } from '../model/closed-connection'
import { event, integerBetween, noArguments, request } from './define'

/** Requests and events of the events domain. */
export const eventsContract = {
  requests: {
    /** The most recent closed connections kept (at most `limit`, oldest first) and the status. */
    'events/recent': request(v.strictObject({ limit: v.optional(integerBetween(1, 100_000)) })).returns<ClosedConnectionsUpdate>(),
    'events/status': request(noArguments).returns<CloseEventsStatus>()
  },
  events: {
    /** Connections closed since the last push, a few times a second at most. */
    'events/closed': event<ClosedConnectionsUpdate>(),
    /** When close events are lost or stop. */
    'events/status': event<CloseEventsStatus>()
  }
} as const
