/** Socket-table channels: snapshots, live diffs, pause and resume. */
import * as v from 'valibot'
import type { MonitorStatus, SocketDiff, SocketSnapshot } from '../model/socket'
import { event, integerBetween, noArguments, request } from './define'

/** Requests and events of the sockets domain. */
export const socketsContract = {
  requests: {
    /** The latest full table. Clients call it once, then apply `sockets/tick` diffs. */
    'sockets/snapshot': request(noArguments).returns<SocketSnapshot>(),
    'sockets/status': request(noArguments).returns<MonitorStatus>(),
    'sockets/pause': request(noArguments).returns<MonitorStatus>(),
    'sockets/resume': request(noArguments).returns<MonitorStatus>(),
    'sockets/set-interval': request(v.strictObject({ intervalMs: integerBetween(100, 60_000) })).returns<MonitorStatus>()
  },
  events: {
    /** One diff per monitor tick, pushed to every client. */
    'sockets/tick': event<SocketDiff>(),
    'sockets/status': event<MonitorStatus>()
  }
} as const
