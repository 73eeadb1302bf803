/**
 * The ports domain: who holds a local port and what an EADDRINUSE on it means, and ports watched
 * until nothing holds them. Each tick checks the watched ports in one pass over the table.
 */
import type { PortFreed, PortProtocol, PortReport, PortWatch } from '../../../shared/model/port-report'
import type { PortRange } from '../../../shared/model/history'
import type { SocketSnapshot } from '../../../shared/model/socket'
import { RequestError } from '../../../shared/contract/envelope'
import type { BackendModuleFactory } from '../backend-module'
import { createSystemReader } from '../platform/create-platform'
import { describePort, portsInUse } from './port-report'

/** Ports watched at once, over every client. */
export const MAX_WATCHED_PORTS = 64
/** How long the port range read from the OS is trusted. */
const PORT_RANGE_REFRESH_MS = 60_000

function watchKey(port: number, protocol: PortProtocol): string {
  return `${protocol}:${port}`
}

/** Serves `ports/*` and pushes `ports/free` when a watched port is let go. */
export const portsModule: BackendModuleFactory = (context) => {
  const system = createSystemReader()
  const watches = new Map<string, PortWatch>()
  let portRange: { readonly range: PortRange | null; readonly readAt: number } | null = null

  async function currentPortRange(now: number): Promise<PortRange | null> {
    const recorded = context.history.session.store.latest()?.portRange
    if (recorded) return recorded
    if (portRange === null || now - portRange.readAt >= PORT_RANGE_REFRESH_MS) portRange = { range: await system.readPortRange().catch(() => null), readAt: now }
    return portRange.range
  }

  const homeNetns = (): number | null => context.sockets.status().reader.homeNetns

  async function report(port: number, protocol: PortProtocol): Promise<PortReport> {
    const snapshot = await context.sockets.ready()
    return describePort({
      port,
      protocol,
      sockets: snapshot.sockets,
      checkedAt: snapshot.takenAt,
      portRange: await currentPortRange(snapshot.takenAt),
      homeNetns: homeNetns(),
      firstSeen: (id) => context.firstSeen.get(id)
    })
  }

  function freed(watch: PortWatch, at: number): void {
    watches.delete(watchKey(watch.port, watch.protocol))
    const payload: PortFreed = { port: watch.port, protocol: watch.protocol, freedAt: at, watchedSince: watch.since }
    context.emit('ports/free', payload)
  }

  function checkWatches(snapshot: SocketSnapshot): void {
    if (watches.size === 0) return
    const inUse = new Map<PortProtocol, Set<number>>()
    for (const watch of [...watches.values()]) {
      let ports = inUse.get(watch.protocol)
      if (!ports) {
        ports = portsInUse(snapshot.sockets, watch.protocol, homeNetns())
        inUse.set(watch.protocol, ports)
      }
      if (!ports.has(watch.port)) freed(watch, snapshot.takenAt)
    }
  }
  const stopTicks = context.sockets.onTick((_diff, snapshot) => checkWatches(snapshot))

  return {
    handlers: {
      'ports/holders': ({ port, protocol = 'tcp' }) => report(port, protocol),
      'ports/watch': async ({ port, protocol = 'tcp' }) => {
        const answer = await report(port, protocol)
        const key = watchKey(port, protocol)
        if (!watches.has(key) && watches.size >= MAX_WATCHED_PORTS) {
          throw new RequestError('busy', `sockscope already watches ${MAX_WATCHED_PORTS} ports; stop watching one first`)
        }
        const watch = watches.get(key) ?? { port, protocol, since: answer.checkedAt }
        watches.set(key, watch)
        if (answer.free) freed(watch, answer.checkedAt)
        return answer
      },
      'ports/unwatch': ({ port, protocol = 'tcp' }) => {
        watches.delete(watchKey(port, protocol))
        return [...watches.values()]
      },
      'ports/watched': () => [...watches.values()]
    },
    dispose() {
      stopTicks()
      watches.clear()
    }
  }
}
