/** Socket-table channels: snapshots, live diffs, pause and resume, reverse DNS. */
import * as v from 'valibot'
import type { SocketDiff, SocketSnapshot } from '../model/socket'
import { event, integerBetween, noArguments, request } from './define'

/** Whether the live monitor is running, and how often it polls. */
export interface MonitorStatus {
  readonly paused: boolean
  readonly intervalMs: number
  readonly tick: number
  readonly platform: string
}

/** Reverse-DNS names learned since the last push, address → name. */
export interface ResolvedNames {
  readonly names: Readonly<Record<string, string>>
}

/** Requests and events of the sockets domain. */
export const socketsContract = {
  requests: {
    /** The latest full table. Clients call it once, then apply `sockets/tick` diffs. */
    'sockets/snapshot': request(noArguments).returns<SocketSnapshot>(),
    'sockets/status': request(noArguments).returns<MonitorStatus>(),
    'sockets/pause': request(noArguments).returns<MonitorStatus>(),
    'sockets/resume': request(noArguments).returns<MonitorStatus>(),
    'sockets/set-interval': request(
      v.strictObject({ intervalMs: integerBetween(100, 60_000) })
    ).returns<MonitorStatus>(),
    /** Every reverse-DNS name known so far. */
    'dns/names': request(noArguments).returns<ResolvedNames>(),
    'dns/set-enabled': request(v.strictObject({ enabled: v.boolean() })).returns<{ readonly enabled: boolean }>()
  },
  events: {
    /** One diff per monitor tick, pushed to every client. */
    'sockets/tick': event<SocketDiff>(),
    'sockets/status': event<MonitorStatus>(),
    /** Names resolved since the last push; batched, never more than once per tick. */
    'dns/resolved': event<ResolvedNames>()
  }
} as const
