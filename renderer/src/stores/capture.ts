/**
 * The live capture: the interfaces, the capture form, starting and stopping, and the status and
 * ticks of the running capture; "Capture this" on a socket row fills the form from here. What is
 * shown, live or imported, belongs to the packet list (capture-packets.ts), the panels under it
 * (capture-panels.ts) and export and import (capture-transfer.ts).
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { CaptureDevice } from '../../../shared/model/capture'
import type { CaptureSettings, CaptureStatus, CaptureTick } from '../../../shared/model/live-capture'
import { captureFilterForProcess, captureFilterForSocket } from '../../../shared/capture-filter'
import { promiscuousUnsupportedReason } from '../../../shared/capture-promiscuous'
import { errorMessage } from '../../../shared/error-message'
import type { SocketEntry } from '../../../shared/model/socket'
import { registerSocketRowActions } from '../row-actions'
import { backendClient, BackendRequestError } from '../transport'
import { useLayoutStore } from './layout'
import { useSocketsStore } from './sockets'

/** The capture form as the user fills it in. */
export interface CaptureFormValues {
  readonly interface: string
  readonly filter: string
  /** 0 keeps whole packets. */
  readonly snaplen: number
  readonly promiscuous: boolean
  readonly bufferMiB: number
  readonly stopAfterPackets: number | null
  readonly stopAfterKibibytes: number | null
  readonly stopAfterSeconds: number | null
}

const DEFAULT_FORM: CaptureFormValues = {
  interface: '',
  filter: '',
  snaplen: 0,
  promiscuous: true,
  bufferMiB: 32,
  stopAfterPackets: null,
  stopAfterKibibytes: null,
  stopAfterSeconds: null
}

const MIB = 1024 * 1024

/** The form as it was filled in for a capture that runs with `settings`. */
export function formFromSettings(settings: CaptureSettings): CaptureFormValues {
  const { limits } = settings
  return {
    interface: settings.interface,
    filter: settings.filter,
    snaplen: settings.snaplen,
    promiscuous: settings.promiscuous,
    bufferMiB: settings.bufferSize > 0 ? Math.round(settings.bufferSize / MIB) : DEFAULT_FORM.bufferMiB,
    stopAfterPackets: limits.maxPackets,
    stopAfterKibibytes: limits.maxBytes === null ? null : limits.maxBytes / 1024,
    stopAfterSeconds: limits.maxDurationMs === null ? null : limits.maxDurationMs / 1000
  }
}

/** The interface "Capture this" asks for: loopback for loopback-only sockets, otherwise `any`. */
type InterfaceHint = 'loopback' | 'any'

/** The live capture session. */
export const useCaptureStore = defineStore('capture', () => {
  const interfaces = shallowRef<readonly CaptureDevice[]>([])
  const interfacesError = ref<string | null>(null)
  const form = ref<CaptureFormValues>({ ...DEFAULT_FORM })
  const captureStatus = shallowRef<CaptureStatus | null>(null)
  const lastTick = shallowRef<CaptureTick | null>(null)
  /** libpcap's message for a refused capture filter. */
  const captureFilterError = ref<string | null>(null)
  /** Why the last start failed (permissions come with the OS-specific fix). */
  const startError = ref<string | null>(null)
  const starting = ref(false)
  const stopping = ref(false)
  let started = false
  let interfaceHint: InterfaceHint | null = null
  /** A display filter "Capture this process" asks the packet list to apply, until it has. */
  const suggestedDisplayFilter = ref<string | null>(null)
  /** Statuses the backend pushed so far: an answer asked for before the latest one is older than it. */
  let pushedStatuses = 0

  const running = computed(() => captureStatus.value?.state === 'running' || captureStatus.value?.state === 'starting')
  const captureBusy = computed(() => starting.value || running.value || captureStatus.value?.state === 'stopping')
  const packetsPerSecond = computed(() => (running.value ? (lastTick.value?.packetsPerSecond ?? 0) : 0))
  const bytesPerSecond = computed(() => (running.value ? (lastTick.value?.bytesPerSecond ?? 0) : 0))

  async function reloadCaptureStatus(): Promise<void> {
    const pushedBefore = pushedStatuses
    try {
      const status = await backendClient().request('capture/status', {})
      // The capture may have ended while the answer was on its way: the pushed state is newer.
      if (pushedStatuses === pushedBefore) showStatus(status)
    } catch (error) {
      startError.value = errorMessage(error)
    }
  }

  /**
   * Takes a status in. While a capture runs the form is locked and shows what it runs with, also
   * on a page opened (or reloaded) after it started, or a capture another page started.
   */
  function showStatus(status: CaptureStatus): void {
    captureStatus.value = status
    const active = status.state === 'running' || status.state === 'starting' || status.state === 'stopping'
    if (active && status.settings) {
      form.value = formFromSettings(status.settings)
      captureFilterError.value = null
    }
  }

  /** Follows the live capture's status and ticks and lists the interfaces. Safe to call more than once. */
  async function start(): Promise<void> {
    if (started) return
    started = true
    const client = backendClient()
    client.subscribe('capture/tick', (tick) => {
      lastTick.value = tick
      if (tick.final) void reloadCaptureStatus()
    })
    client.subscribe('capture/status', (status) => {
      pushedStatuses++
      showStatus(status)
      if (status.state !== 'running' && status.state !== 'stopping') stopping.value = false
    })
    client.onConnectionChange((connected) => {
      if (connected) void reloadCaptureStatus()
    })
    await Promise.all([reloadCaptureStatus(), loadInterfaces()])
  }

  async function loadInterfaces(): Promise<void> {
    try {
      const list = await backendClient().request('capture/interfaces', {})
      interfaces.value = list.interfaces
      // Without the capture privilege nothing can start: say how to get it, up front.
      interfacesError.value = list.captureAllowed ? null : list.advice
      const names = list.interfaces.map((device) => device.name)
      if (interfaceHint !== null) applyInterfaceHint(interfaceHint)
      else if (!names.includes(form.value.interface)) form.value = { ...form.value, interface: names.includes('any') ? 'any' : (names[0] ?? '') }
    } catch (error) {
      interfacesError.value = errorMessage(error)
    }
  }

  function setForm(values: CaptureFormValues): void {
    if (values.filter !== form.value.filter) captureFilterError.value = null
    form.value = values
  }

  /** Starts a capture with the form's settings. A refused filter is shown inline and starts nothing. */
  async function startCapture(): Promise<void> {
    const values = form.value
    starting.value = true
    captureFilterError.value = null
    startError.value = null
    try {
      // libpcap checks the filter first, so a typo never starts (or stops) anything.
      const check = await backendClient().request('capture/check-filter', { interface: values.interface, filter: values.filter.trim() })
      if (!check.ok) {
        captureFilterError.value = check.message
        return
      }
      captureStatus.value = await backendClient().request('capture/start', {
        interface: values.interface,
        filter: values.filter.trim(),
        snaplen: Math.max(0, Math.round(values.snaplen)),
        // Asked on `any`, libpcap ignores it or (some versions) refuses to open at all.
        promiscuous: values.promiscuous && promiscuousUnsupportedReason(values.interface) === null,
        bufferSize: Math.max(1, Math.round(values.bufferMiB)) * 1024 * 1024,
        limits: {
          maxPackets: values.stopAfterPackets === null ? null : Math.round(values.stopAfterPackets),
          maxBytes: values.stopAfterKibibytes === null ? null : Math.round(values.stopAfterKibibytes * 1024),
          maxDurationMs: values.stopAfterSeconds === null ? null : Math.round(values.stopAfterSeconds * 1000)
        }
      })
      lastTick.value = null
    } catch (error) {
      if (error instanceof BackendRequestError && error.failure.code === 'invalid-arguments' && /filter/i.test(error.message)) {
        captureFilterError.value = error.message
      } else {
        startError.value = errorMessage(error)
      }
    } finally {
      starting.value = false
    }
  }

  async function stopCapture(): Promise<void> {
    stopping.value = true
    try {
      captureStatus.value = await backendClient().request('capture/stop', {})
    } catch (error) {
      startError.value = errorMessage(error)
    } finally {
      stopping.value = false
    }
  }

  /**
   * Fills the capture form's filter for one socket, or for every port of its process, picks an
   * interface that sees the traffic (lo for loopback-only sockets) and shows the Capture view.
   */
  function prepareCaptureFor(socket: SocketEntry, wholeProcess: boolean): void {
    const allSockets = [...useSocketsStore().rowsById.values()].map((row) => row.socket)
    const covered = wholeProcess && socket.pid !== null ? allSockets.filter((each) => each.pid === socket.pid) : [socket]
    const processFilter = wholeProcess && socket.pid !== null ? captureFilterForProcess(allSockets, socket.pid) : null
    const filter = (wholeProcess ? processFilter?.filter : captureFilterForSocket(socket)) ?? ''
    // A widened capture filter lets other processes' packets through; the display filter shows this one's.
    suggestedDisplayFilter.value = processFilter?.widened ? `pid:${socket.pid}` : null
    const loopbackOnly = covered.every((each) => isLoopback(each.localAddress) && (isLoopback(each.remoteAddress) || isUnspecified(each.remoteAddress)))
    setForm({ ...form.value, filter })
    if (interfaces.value.length > 0) applyInterfaceHint(loopbackOnly ? 'loopback' : 'any')
    // The list is not loaded until the Capture view first opens; choose then.
    else interfaceHint = loopbackOnly ? 'loopback' : 'any'
    useLayoutStore().show('capture')
  }

  /** Picks the loopback interface (lo, lo0) or the `any` pseudo-interface when the system has it. */
  function applyInterfaceHint(hint: InterfaceHint): void {
    interfaceHint = null
    const devices = interfaces.value
    const chosen = hint === 'loopback' ? devices.find((device) => device.loopback) : devices.find((device) => device.name === 'any')
    if (chosen) form.value = { ...form.value, interface: chosen.name }
  }

  return {
    interfaces,
    interfacesError,
    form,
    captureStatus,
    lastTick,
    captureFilterError,
    suggestedDisplayFilter,
    startError,
    starting,
    stopping,
    running,
    captureBusy,
    packetsPerSecond,
    bytesPerSecond,
    start,
    loadInterfaces,
    setForm,
    startCapture,
    stopCapture,
    prepareCaptureFor
  }
})

function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address.startsWith('::ffff:127.')
}

function isUnspecified(address: string): boolean {
  return address === '*' || address === '0.0.0.0' || address === '::' || address === ''
}

// Offer "capture this" on socket rows; the actions reach the store only when run.
registerSocketRowActions([
  {
    id: 'capture-socket',
    label: 'Capture this',
    appliesTo: (socket) => socket.family !== null && (socket.protocol === 'tcp' || socket.protocol === 'udp'),
    run: (socket) => useCaptureStore().prepareCaptureFor(socket, false)
  },
  {
    id: 'capture-process',
    label: 'Capture this process',
    appliesTo: (socket) => socket.family !== null && socket.pid !== null,
    run: (socket) => useCaptureStore().prepareCaptureFor(socket, true)
  }
])
