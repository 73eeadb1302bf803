// @vitest-environment happy-dom
/**
 * The live capture store against a real backend and a real capture on lo: the interfaces and the
 * form's default, a filter libpcap refuses (nothing starts), a capture up to its packet limit and
 * one stopped by hand, and "Capture this" filling the form for a socket.
 */
import { createSocket } from 'node:dgram'
import { once } from 'node:events'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { useCaptureStore } from '../../../renderer/src/stores/capture'
import { useCapturePacketsStore } from '../../../renderer/src/stores/capture-packets'
import { useLayoutStore } from '../../../renderer/src/stores/layout'
import { captureFilterForSocket, MAX_PROCESS_FILTER_TERMS } from '../../../shared/capture-filter'
import { useSocketsStore } from '../../../renderer/src/stores/sockets'
import { emptySocketEntry, type SocketEntry } from '../../../shared/model/socket'
import { runningAsRoot } from '../../integration/backend/capture/live-traffic'
import { captureStoreHarness, type CaptureStoreHarness } from '../../support/capture/capture-store-harness'

let harness: CaptureStoreHarness

beforeEach(async () => {
  harness = await captureStoreHarness({ intervalMs: 200 })
})
afterEach(async () => {
  await harness.dispose()
})

/** A connected UDP socket on 127.0.0.1 as the socket table shows it. */
function udpSocket(localAddress: string, localPort: number, remoteAddress: string, remotePort: number | null): SocketEntry {
  return { ...emptySocketEntry('udp', 4), id: `udp:${localPort}`, localAddress, localPort, remoteAddress, remotePort, state: 'ESTABLISHED', pid: process.pid }
}

/** A UDP socket bound on 127.0.0.1, for a port nothing else uses. */
async function boundReceiver() {
  const receiver = createSocket('udp4')
  receiver.bind(0, '127.0.0.1')
  await once(receiver, 'listening')
  return receiver
}

describe.skipIf(!runningAsRoot)('useCaptureStore', () => {
  it('fills the filter and interface for a socket and shows the Capture view, choosing lo once the list is known', async () => {
    const capture = useCaptureStore()
    const loopback = udpSocket('127.0.0.1', 40_001, '127.0.0.1', 53)
    capture.prepareCaptureFor(loopback, false)
    expect(capture.form.filter).toBe(captureFilterForSocket(loopback))
    expect(useLayoutStore().activeView).toBe('capture')
    // Not listed yet: the choice waits for the list.
    expect(capture.interfaces).toHaveLength(0)
    await capture.start()
    expect(capture.form.interface).toBe('lo')

    const remote = udpSocket('127.0.0.1', 40_002, '192.0.2.1', 53)
    capture.prepareCaptureFor(remote, false)
    expect(capture.form.interface).toBe('any')
    expect(capture.form.filter).toBe(captureFilterForSocket(remote))
    capture.prepareCaptureFor(loopback, false)
    expect(capture.form.interface).toBe('lo')
  })

  it('"Capture this process" on a process with thousands of ports fills a filter within the cap and lists only its packets', async () => {
    const capture = useCaptureStore()
    const packets = useCapturePacketsStore()
    await packets.start()
    const held = Array.from({ length: 3000 }, (_, index) => ({ ...udpSocket('127.0.0.1', 20_000 + 7 * index, '127.0.0.1', 53), id: `udp:${index}` }))
    useSocketsStore().rowsById = new Map(held.map((socket) => [socket.id, { socket, mark: null, markedAt: 0 }]))
    capture.prepareCaptureFor(held[0] as SocketEntry, true)
    expect(capture.form.filter.split(' or ').length).toBeLessThanOrEqual(MAX_PROCESS_FILTER_TERMS)
    // The filter lets other processes' packets through now: the list shows only this process's.
    expect(packets.displayFilter).toBe(`pid:${process.pid}`)
    await vi.waitFor(() => expect(packets.view?.filter).toBe(`pid:${process.pid}`), { timeout: 5000 })

    // A process whose ports fit the cap gets an exact filter and no display filter from here.
    await packets.setDisplayFilter('')
    const few = held.slice(0, 3)
    useSocketsStore().rowsById = new Map(few.map((socket) => [socket.id, { socket, mark: null, markedAt: 0 }]))
    capture.prepareCaptureFor(few[0] as SocketEntry, true)
    expect(capture.form.filter).toBe('udp port 20000 or udp port 20007 or udp port 20014')
    expect(packets.displayFilter).toBe('')
  })

  it('forgets a refused filter’s message once the filter text changes, and only then', async () => {
    const capture = useCaptureStore()
    await capture.start()
    capture.setForm({ ...capture.form, filter: 'udp and and' })
    await capture.startCapture()
    expect(capture.captureFilterError).toContain('syntax error')
    capture.setForm({ ...capture.form, snaplen: 128 })
    expect(capture.captureFilterError).toContain('syntax error')
    capture.setForm({ ...capture.form, filter: 'udp' })
    expect(capture.captureFilterError).toBeNull()
  })

  it('lists the interfaces, allows capture as root and defaults to the any interface', async () => {
    const capture = useCaptureStore()
    await capture.start()
    expect(capture.interfacesError).toBeNull()
    expect(capture.interfaces.map((device) => device.name)).toEqual(expect.arrayContaining(['lo', 'any']))
    expect(capture.form.interface).toBe('any')
    expect(capture.running).toBe(false)
    expect(capture.captureBusy).toBe(false)
  })

  it('shows libpcap’s message for a filter it refuses and starts nothing', async () => {
    const capture = useCaptureStore()
    await capture.start()
    capture.setForm({ ...capture.form, interface: 'lo', filter: 'port notaport' })
    await capture.startCapture()
    expect(capture.captureFilterError).toContain("unknown port 'notaport'")
    expect(capture.startError).toBeNull()
    expect(harness.requests).not.toContain('capture/start')
    expect(capture.captureStatus?.state).toBe('idle')
    expect(capture.starting).toBe(false)
  })

  it('captures up to its packet limit, then shows the capture as ended with every packet listed', async () => {
    const capture = useCaptureStore()
    const packets = useCapturePacketsStore()
    await Promise.all([capture.start(), packets.start()])
    const receiver = await boundReceiver()
    const port = receiver.address().port
    capture.setForm({ ...capture.form, interface: 'lo', filter: `udp dst port ${port}`, stopAfterPackets: 5 })
    await capture.startCapture()
    expect(capture.startError).toBeNull()
    expect(capture.captureStatus?.settings).toMatchObject({ interface: 'lo', filter: `udp dst port ${port}`, limits: { maxPackets: 5 } })
    const sender = createSocket('udp4')
    // Until the limit ends it: the first datagrams may go before the helper's first read.
    const timer = setInterval(() => sender.send(Buffer.alloc(32), port, '127.0.0.1'), 20)
    try {
      await vi.waitFor(() => expect(capture.captureStatus?.state).toBe('ended'), { timeout: 10_000 })
    } finally {
      clearInterval(timer)
      sender.close()
      receiver.close()
    }
    expect(capture.running).toBe(false)
    expect(capture.captureBusy).toBe(false)
    expect(capture.captureStatus?.counters?.packets).toBe(5)
    expect(capture.captureStatus?.end?.reason).toBe('count')
    expect(capture.packetsPerSecond).toBe(0)
    await vi.waitFor(() => expect(packets.listCount).toBe(5))
    expect(packets.sourceSummary).toMatchObject({ state: 'ended', label: 'live on lo', packets: 5 })
    expect(packets.stats).not.toBeNull()
  })

  it('asks for promiscuous mode on one interface but never on the any pseudo-interface', async () => {
    const capture = useCaptureStore()
    await capture.start()
    const receiver = await boundReceiver()
    try {
      for (const name of ['any', 'lo']) {
        capture.setForm({ ...capture.form, interface: name, promiscuous: true, filter: `udp dst port ${receiver.address().port}` })
        await capture.startCapture()
        expect(capture.startError).toBeNull()
        expect(capture.captureStatus?.settings).toMatchObject({ interface: name, promiscuous: name !== 'any' })
        await capture.stopCapture()
      }
    } finally {
      receiver.close()
    }
  })

  it('stops a capture by hand, saying so while it stops', async () => {
    const capture = useCaptureStore()
    await capture.start()
    const receiver = await boundReceiver()
    capture.setForm({ ...capture.form, interface: 'lo', filter: `udp dst port ${receiver.address().port}` })
    await capture.startCapture()
    receiver.close()
    expect(capture.running).toBe(true)
    expect(capture.captureBusy).toBe(true)
    const stopped = capture.stopCapture()
    expect(capture.stopping).toBe(true)
    await stopped
    expect(capture.stopping).toBe(false)
    expect(capture.captureStatus?.state).toBe('ended')
    expect(capture.captureStatus?.end?.reason).toBe('stopped')
    expect(capture.running).toBe(false)
  })
})
