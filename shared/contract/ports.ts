/** Port channels: who holds a local port and what an EADDRINUSE on it means, and word when it is free. */
import * as v from 'valibot'
import type { PortFreed, PortReport, PortWatch } from '../model/port-report'
import { event, integerBetween, noArguments, request } from './define'

/** A local port and its protocol (TCP when left out). */
const portArguments = v.strictObject({
  port: integerBetween(1, 65_535),
  protocol: v.optional(v.picklist(['tcp', 'udp']))
})

/** Requests and events of the ports domain. */
export const portsContract = {
  requests: {
    /** Who holds the port now, since when, and what an EADDRINUSE on it means. */
    'ports/holders': request(portArguments).returns<PortReport>(),
    /** The same, and a `ports/free` event once nothing holds the port (at once when nothing does now). */
    'ports/watch': request(portArguments).returns<PortReport>(),
    /** Stops watching a port; answers the ports still watched. */
    'ports/unwatch': request(portArguments).returns<readonly PortWatch[]>(),
    /** The ports being watched. */
    'ports/watched': request(noArguments).returns<readonly PortWatch[]>()
  },
  events: {
    /** A watched port that nothing holds any more; its watch ends. */
    'ports/free': event<PortFreed>()
  }
} as const
