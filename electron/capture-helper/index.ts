/**
 * The capture helper: the only sockscope process that needs the capture privilege and the only
 * code that loads `cap` (libpcap).
 *
 * Like Wireshark's dumpcap it does as little as possible with that privilege: it reads one request
 * as a frame on stdin, opens the interface, and writes framed packet batches and counters to
 * stdout. It never decodes a packet. One request per process, the way dumpcap is started once per
 * list, check or capture: after a failed open `cap` leaves a handle that can be neither closed nor
 * freed, so the process that made it must end.
 */
import { Cap, type CapDevice } from 'cap'
import {
  linkTypeName,
  type CaptureBatching,
  type CaptureDevice,
  type CaptureEndReason,
  type CaptureErrorCode,
  type CaptureStartRequest,
  type CaptureStatistics,
  type CompileFilterRequest,
  type ListInterfacesRequest
} from '../../shared/model/capture'
import { ControlMessageReader, encodeMessage, type ControlMessage, type HelperMessage, type PacketsMessage } from '../../shared/capture-messages'
import { PacketBatchBuilder } from '../../shared/capture-packet-batch'
import { classifyOpenError, linkTypeFromCap } from './open-error'
import { errorMessage } from '../../shared/error-message'

/** `cap` fixes libpcap's snaplen at 65535; a bigger one cannot be honoured. */
const LIBRARY_SNAPLEN = 65535

const DEFAULT_BATCHING: CaptureBatching = {
  flushIntervalMs: 100,
  maxPackets: 2000,
  maxBytes: 1024 * 1024,
  maxBacklogBytes: 8 * 1024 * 1024,
  statsIntervalMs: 500
}

/** A small kernel buffer for the brief opens that only learn a link type or check a filter. */
const PROBE_BUFFER_SIZE = 256 * 1024

/**
 * Handles whose open failed. `cap` crashes when such a handle is closed or garbage-collected,
 * so they are kept alive until the process exits, which releases them.
 */
const failedHandles: Cap[] = []

/** One shared copy buffer: `cap` copies each packet into it before the `packet` event. */
const packetBuffer = Buffer.alloc(LIBRARY_SNAPLEN)

type OpenResult =
  | { readonly ok: true; readonly cap: Cap; readonly linkType: number; readonly linkTypeName: string }
  | { readonly ok: false; readonly badFilter: boolean; readonly code: CaptureErrorCode; readonly message: string }

/** Opens a device, telling a rejected filter apart from a device that cannot be opened at all. */
function openDevice(device: string, filter: string, bufferSize: number, buffer: Buffer): OpenResult {
  const cap = new Cap()
  try {
    const result = cap.open(device, filter, bufferSize, buffer)
    const linkType = linkTypeFromCap(result)
    if (linkType === null) {
      cap.close()
      return { ok: false, badFilter: false, code: 'other', message: `unexpected link type "${result}"` }
    }
    return { ok: true, cap, linkType, linkTypeName: linkTypeName(linkType) }
  } catch (error) {
    failedHandles.push(cap)
    const message = errorMessage(error)
    const code = classifyOpenError(message)
    if (code !== 'other' || filter === '') return { ok: false, badFilter: false, code, message }
    // libpcap compiles the filter only after the device is active, so an error here is either the
    // filter's or a late device error. Opening again without the filter tells which.
    const check = new Cap()
    try {
      check.open(device, '', PROBE_BUFFER_SIZE, buffer)
      check.close()
      return { ok: false, badFilter: true, code: 'other', message }
    } catch {
      failedHandles.push(check)
      return { ok: false, badFilter: false, code: 'other', message }
    }
  }
}

/** Writes frames to stdout and knows how much is still waiting in the pipe. */
class FrameWriter {
  private broken = false

  constructor(private readonly output: NodeJS.WriteStream) {
    output.on('error', () => {
      // The backend went away; nothing more can be reported, so stop.
      this.broken = true
      process.exit(0)
    })
  }

  /** Bytes written but not yet taken by the reader. */
  get backlogBytes(): number {
    return this.output.writableLength
  }

  send(message: Exclude<HelperMessage, PacketsMessage>): void {
    this.write(encodeMessage(message))
  }

  write(frame: Uint8Array): void {
    if (!this.broken) this.output.write(frame)
  }

  /** Exits once everything written has reached the pipe. */
  exitWhenFlushed(code: number): void {
    if (this.broken || this.output.writableLength === 0) process.exit(code)
    this.output.write(new Uint8Array(0), () => process.exit(code))
  }
}

/**
 * Wall-clock time from a monotonic clock: `cap` does not pass on the kernel's timestamp, so each
 * packet is stamped when the helper receives it.
 */
function createPacketClock(): () => readonly [number, number] {
  const wallMs = Date.now()
  const origin = process.hrtime()
  const baseSeconds = Math.floor(wallMs / 1000)
  const baseNanos = (wallMs % 1000) * 1_000_000
  return () => {
    const [seconds, nanos] = process.hrtime(origin)
    let totalNanos = baseNanos + nanos
    let totalSeconds = baseSeconds + seconds
    if (totalNanos >= 1_000_000_000) {
      totalNanos -= 1_000_000_000
      totalSeconds += 1
    }
    return [totalSeconds, totalNanos]
  }
}

function positiveOr(value: number | null | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback
}

function limitOf(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null
}

/** Runs one capture until a limit, a stop request, the end of stdin or a signal. */
function runCapture(request: CaptureStartRequest, writer: FrameWriter, onStopRequest: (stop: () => void) => void): void {
  const batching: CaptureBatching = { ...DEFAULT_BATCHING, ...request.batching }
  const snaplen = Math.min(positiveOr(request.snaplen, LIBRARY_SNAPLEN), LIBRARY_SNAPLEN)
  const bufferSize = Math.min(positiveOr(request.bufferSize, 32 * 1024 * 1024), 0x7fffffff)
  const maxPackets = limitOf(request.limits.maxPackets)
  const maxBytes = limitOf(request.limits.maxBytes)
  const maxDurationMs = limitOf(request.limits.maxDurationMs)

  const opened = openDevice(request.interface, request.filter, bufferSize, packetBuffer)
  if (!opened.ok) {
    if (opened.badFilter) {
      writer.send({ type: 'bad-filter', filter: request.filter, message: opened.message })
    } else {
      writer.send({ type: 'error', code: opened.code, message: `${request.interface}: ${opened.message}` })
    }
    writer.exitWhenFlushed(0)
    return
  }
  const { cap } = opened
  cap.setMinBytes?.(0)

  const clock = createPacketClock()
  const notes = ['timestamps are taken when the helper receives each packet, not by the kernel', 'kernel and interface drop counters are not available from the capture library']
  if (!request.promiscuous) notes.push('the capture library always opens interfaces in promiscuous mode')
  if (positiveOr(request.snaplen, LIBRARY_SNAPLEN) > LIBRARY_SNAPLEN) {
    notes.push(`snaplen is limited to ${LIBRARY_SNAPLEN} bytes by the capture library`)
  }
  writer.send({
    type: 'started',
    interface: request.interface,
    linkType: opened.linkType,
    linkTypeName: opened.linkTypeName,
    snaplen,
    promiscuous: true,
    startedAt: Date.now(),
    timestampDecimals: 9,
    notes
  })

  const batch = new PacketBatchBuilder(Math.min(batching.maxBytes, 4 * 1024 * 1024) + 64 * 1024)
  let received = 0
  let receivedBytes = 0
  let delivered = 0
  let deliveredBytes = 0
  let droppedByHelper = 0
  let finished = false

  const statistics = (): CaptureStatistics => ({
    received,
    receivedBytes,
    droppedByKernel: null,
    droppedByInterface: null,
    droppedByHelper,
    delivered
  })

  const flush = (): void => {
    if (batch.packetCount > 0) writer.write(batch.finish())
  }

  const finish = (reason: CaptureEndReason, message: string | null = null): void => {
    if (finished) return
    finished = true
    cap.close()
    clearInterval(flushTimer)
    clearInterval(statsTimer)
    if (durationTimer) clearTimeout(durationTimer)
    flush()
    writer.send({ type: 'stats', stats: statistics() })
    writer.send({ type: 'end', reason, stats: statistics(), message })
    writer.exitWhenFlushed(0)
  }

  cap.on('packet', (bytes: number) => {
    if (finished) return
    const [seconds, nanos] = clock()
    received++
    receivedBytes += bytes
    // A reader that falls behind costs packets, not unbounded memory in a privileged process.
    if (writer.backlogBytes > batching.maxBacklogBytes) {
      droppedByHelper++
      return
    }
    const captured = Math.min(bytes, snaplen)
    if (maxBytes !== null && deliveredBytes + captured > maxBytes) {
      finish('bytes')
      return
    }
    if (!batch.fits(captured)) flush()
    // Wire length is the copy length: the copy buffer is as large as libpcap's own snaplen.
    batch.add(seconds, nanos, bytes, packetBuffer.subarray(0, captured))
    delivered++
    deliveredBytes += captured
    if (batch.packetCount >= batching.maxPackets || batch.payloadLength >= batching.maxBytes) flush()
    if (maxPackets !== null && delivered >= maxPackets) finish('count')
    else if (maxBytes !== null && deliveredBytes >= maxBytes) finish('bytes')
  })

  const flushTimer = setInterval(flush, batching.flushIntervalMs)
  const statsTimer = setInterval(() => writer.send({ type: 'stats', stats: statistics() }), batching.statsIntervalMs)
  const durationTimer = maxDurationMs !== null ? setTimeout(() => finish('duration'), maxDurationMs) : null

  onStopRequest(() => finish('stopped'))
  process.on('uncaughtException', (error) => finish('error', errorMessage(error)))
}

function describeDevice(device: CapDevice, probe: boolean): CaptureDevice {
  let linkType: number | null = null
  let openError: string | null = null
  let openErrorCode: CaptureErrorCode | null = null
  if (probe) {
    const opened = openDevice(device.name, '', PROBE_BUFFER_SIZE, packetBuffer)
    if (opened.ok) {
      opened.cap.close()
      linkType = opened.linkType
    } else {
      openError = opened.message
      openErrorCode = opened.code
    }
  }
  return {
    name: device.name,
    description: device.description ?? null,
    addresses: device.addresses
      .filter((address) => typeof address.addr === 'string')
      .map((address) => ({
        address: address.addr as string,
        netmask: address.netmask ?? null,
        broadcast: address.broadaddr ?? null,
        destination: address.dstaddr ?? null
      })),
    loopback: device.flags === 'PCAP_IF_LOOPBACK',
    linkType,
    linkTypeName: linkType === null ? null : linkTypeName(linkType),
    openError,
    openErrorCode
  }
}

function listInterfaces(request: ListInterfacesRequest, writer: FrameWriter): void {
  let devices: CapDevice[]
  try {
    devices = Cap.deviceList()
  } catch (error) {
    const message = errorMessage(error)
    writer.send({ type: 'error', code: classifyOpenError(message), message })
    writer.exitWhenFlushed(0)
    return
  }
  writer.send({ type: 'interfaces', interfaces: devices.map((device) => describeDevice(device, request.probeLinkTypes)) })
  writer.exitWhenFlushed(0)
}

function compileFilter(request: CompileFilterRequest, writer: FrameWriter): void {
  const opened = openDevice(request.interface, request.filter, PROBE_BUFFER_SIZE, packetBuffer)
  if (opened.ok) {
    opened.cap.close()
    writer.send({ type: 'filter-ok', interface: request.interface, filter: request.filter, linkType: opened.linkType })
  } else if (opened.badFilter) {
    writer.send({ type: 'bad-filter', filter: request.filter, message: opened.message })
  } else {
    writer.send({ type: 'error', code: opened.code, message: `${request.interface}: ${opened.message}` })
  }
  writer.exitWhenFlushed(0)
}

function main(): void {
  const writer = new FrameWriter(process.stdout)
  const reader = new ControlMessageReader()
  let stopCapture: (() => void) | null = null
  let busy = false

  const handle = (message: ControlMessage): void => {
    if (message.type === 'stop') {
      if (stopCapture) stopCapture()
      else writer.exitWhenFlushed(0)
      return
    }
    if (busy) {
      writer.send({ type: 'error', code: 'other', message: `a helper serves one request; "${message.type}" came after another` })
      return
    }
    busy = true
    switch (message.type) {
      case 'start':
        runCapture(message.request, writer, (stop) => (stopCapture = stop))
        break
      case 'list-interfaces':
        listInterfaces(message.request, writer)
        break
      case 'compile-filter':
        compileFilter(message.request, writer)
        break
    }
  }

  process.stdin.on('data', (chunk: Buffer) => {
    let messages: ControlMessage[]
    try {
      messages = reader.push(chunk)
    } catch (error) {
      writer.send({ type: 'error', code: 'other', message: `bad request: ${errorMessage(error)}` })
      if (stopCapture) stopCapture()
      else writer.exitWhenFlushed(1)
      return
    }
    for (const message of messages) handle(message)
  })
  // The backend closing our stdin (or dying) means stop, never "capture forever unattended".
  process.stdin.on('end', () => {
    if (stopCapture) stopCapture()
    else if (!busy) writer.exitWhenFlushed(0)
  })
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (stopCapture) stopCapture()
      else process.exit(0)
    })
  }
}

main()
