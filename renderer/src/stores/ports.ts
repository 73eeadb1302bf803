/**
 * The port helper: the report on the port asked about, the ports this page watches, and a notice
 * when one of them is free. `ports/free` reaches every page; each keeps only its own watches.
 */
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { PortFreed, PortProtocol, PortReport } from '../../../shared/model/port-report'
import { errorMessage } from '../../../shared/error-message'
import { registerSocketRowActions } from '../row-actions'
import { backendClient } from '../transport'
import { useLayoutStore } from './layout'

/** Notices kept, newest first. */
const NOTICES_KEPT = 20

function watchKey(port: number, protocol: PortProtocol): string {
  return `${protocol}:${port}`
}

/** The port helper's state and actions. */
export const usePortsStore = defineStore('ports', () => {
  const port = ref<number | null>(null)
  const protocol = ref<PortProtocol>('tcp')
  const report = shallowRef<PortReport | null>(null)
  const error = ref<string | null>(null)
  const busy = ref(false)
  /** Ports this page asked to be told about, by `protocol:port`. */
  const watching = ref<ReadonlySet<string>>(new Set())
  /** Watched ports that came free, newest first. */
  const freed = shallowRef<readonly PortFreed[]>([])
  let started = false

  function start(): void {
    if (started) return
    started = true
    backendClient().subscribe('ports/free', (event) => {
      const key = watchKey(event.port, event.protocol)
      if (!watching.value.has(key)) return
      const next = new Set(watching.value)
      next.delete(key)
      watching.value = next
      freed.value = [event, ...freed.value].slice(0, NOTICES_KEPT)
      if (port.value === event.port && protocol.value === event.protocol) void check()
    })
  }

  /** Asks who holds the port in `port`/`protocol` now. */
  async function check(): Promise<void> {
    const asked = port.value
    if (asked === null) return
    busy.value = true
    try {
      report.value = await backendClient().request('ports/holders', { port: asked, protocol: protocol.value })
      error.value = null
    } catch (failure) {
      error.value = errorMessage(failure)
    } finally {
      busy.value = false
    }
  }

  /** Shows the port helper on `nextPort` and checks it. */
  function open(nextPort: number, nextProtocol: PortProtocol = 'tcp'): void {
    start()
    port.value = nextPort
    protocol.value = nextProtocol
    report.value = null
    useLayoutStore().show('ports')
    void check()
  }

  /** Watches the shown port; `ports/free` says when nothing holds it. */
  async function watch(): Promise<void> {
    const asked = port.value
    if (asked === null) return
    start()
    const key = watchKey(asked, protocol.value)
    watching.value = new Set([...watching.value, key])
    try {
      report.value = await backendClient().request('ports/watch', { port: asked, protocol: protocol.value })
      error.value = null
    } catch (failure) {
      const next = new Set(watching.value)
      next.delete(key)
      watching.value = next
      error.value = errorMessage(failure)
    }
  }

  async function unwatch(watchedPort: number, watchedProtocol: PortProtocol): Promise<void> {
    const next = new Set(watching.value)
    next.delete(watchKey(watchedPort, watchedProtocol))
    watching.value = next
    await backendClient()
      .request('ports/unwatch', { port: watchedPort, protocol: watchedProtocol })
      .catch((failure: unknown) => (error.value = errorMessage(failure)))
  }

  function isWatching(watchedPort: number, watchedProtocol: PortProtocol): boolean {
    return watching.value.has(watchKey(watchedPort, watchedProtocol))
  }

  function dismiss(notice: PortFreed): void {
    freed.value = freed.value.filter((entry) => entry !== notice)
  }

  return { port, protocol, report, error, busy, watching, freed, start, check, open, watch, unwatch, isWatching, dismiss }
})

// "Who holds this port" on TCP and UDP rows with a local port, registered at start-up.
registerSocketRowActions([
  {
    id: 'port-holders',
    label: 'Who holds this port',
    appliesTo: (socket) => (socket.protocol === 'tcp' || socket.protocol === 'udp') && socket.localPort !== null && socket.localPort > 0,
    run: (socket) => {
      if (socket.localPort !== null && (socket.protocol === 'tcp' || socket.protocol === 'udp')) usePortsStore().open(socket.localPort, socket.protocol)
    }
  }
])
