import { realpathSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CaptureError,
  compileCaptureFilter,
  listCaptureInterfaces,
  startCaptureHelper,
  type CaptureHelperLaunchOptions
} from '../../../../electron/backend/capture/capture-helper-process'
import { CaptureSession, type IndexedPacket } from '../../../../electron/backend/capture/capture-session'
import { summarizePacket } from '../../../../electron/backend/capture/decode/packet-decoder'
import { readCaptureFile } from '../../../../electron/backend/capture/files/capture-file-reader'
import type { CaptureProgress } from '../../../../shared/model/live-capture'
import { captureFilterForPorts, captureFilterForSocket } from '../../../../shared/capture-filter'
import { TCP_FLAG } from '../../../../shared/model/decoded-packet'
import { hasTool } from '../../../support/capture/wireshark-tools'
import { buildSocket } from '../../../support/socket-builder'
import { countPacketsWithTcpdump, openLoopbackPeers, runningAsRoot, sendDatagrams, startTcpdump, tcpExchange, type LoopbackPeers } from './live-traffic'
import { waitFor } from '../../../support/wait-for'
import { AS_NOBODY, bundleForOtherUsers, canRunAsNobody, makeSharedFolder, type SharedFolder } from '../../../support/other-user'
import { elementAt } from '../../../../shared/element-at'

const canCapture = runningAsRoot && hasTool('tcpdump')

let workDirectory = ''

/** Every packet `session` hands on, in the order it does. */
function collectPackets(session: CaptureSession): IndexedPacket[] {
  const received: IndexedPacket[] = []
  session.on('packets', (packets) => received.push(...packets))
  return received
}

beforeAll(async () => {
  workDirectory = await mkdtemp(join(tmpdir(), 'sockscope-live-capture-'))
})

afterAll(async () => {
  await rm(workDirectory, { recursive: true, force: true })
})

describe.skipIf(!canCapture)('live capture on lo', () => {
  let peers: LoopbackPeers

  beforeAll(async () => {
    peers = await openLoopbackPeers()
  })

  afterAll(async () => {
    await peers.close()
  })

  it('captures exactly what tcpdump captures with the same filter, with correct ports, flags and lengths', async () => {
    const filter = `port ${peers.port}`
    const referencePath = join(workDirectory, 'reference.pcap')
    const tcpdump = await startTcpdump(filter, referencePath)
    const session = await CaptureSession.start({ interface: 'lo', filter, tickIntervalMs: 250 })
    const received: IndexedPacket[] = []
    const ticks: CaptureProgress[] = []
    session.on('packets', (packets) => received.push(...packets))
    session.on('tick', (tick) => ticks.push(tick))

    const udpSizes = Array.from({ length: 12 }, (_, index) => 10 + index * 37)
    const tcpWrites = [100, 1000, 5000, 1]
    await sendDatagrams(peers.port, udpSizes)
    const { clientPort } = await tcpExchange(peers.port, tcpWrites)
    // Both captures see a packet within milliseconds; give them a moment before stopping.
    await waitFor(() => received.length >= udpSizes.length + 3 + tcpWrites.length * 2, 5000, 'the packets to arrive')
    await new Promise((resolve) => setTimeout(resolve, 300))
    await tcpdump.stop()
    const summary = await session.stop()

    const referenceCount = await countPacketsWithTcpdump(referencePath)
    expect(summary.end.reason).toBe('stopped')
    expect(summary.counters.packets).toBe(referenceCount)
    expect(received).toHaveLength(referenceCount)
    expect(summary.stats.delivered).toBe(referenceCount)
    expect(summary.stats.droppedByHelper).toBe(0)

    // The same frames, length for length, as tcpdump's own file.
    const reference = await readCaptureFile(referencePath)
    expect(reference.error).toBeNull()
    const lengths = (packets: readonly { readonly originalLength: number; readonly data: Uint8Array }[]) =>
      packets.map((packet) => `${packet.originalLength}/${packet.data.length}`).sort()
    expect(lengths(received.map((item) => item.packet))).toEqual(lengths(reference.packets))

    const decoded = received.map((item) => summarizePacket(item.packet, session.captureInterface.linkType))
    expect(decoded.every((packet) => packet.malformed === null && packet.ipVersion === 4)).toBe(true)
    const udp = decoded.filter((packet) => packet.transport === 'udp')
    expect(udp.map((packet) => packet.destinationPort)).toEqual(udpSizes.map(() => peers.port))
    expect(udp.map((packet) => packet.payloadLength)).toEqual(udpSizes)

    const tcp = decoded.filter((packet) => packet.transport === 'tcp')
    const toServer = tcp.filter((packet) => packet.destinationPort === peers.port && packet.sourcePort === clientPort)
    const toClient = tcp.filter((packet) => packet.sourcePort === peers.port && packet.destinationPort === clientPort)
    expect(toServer.length + toClient.length).toBe(tcp.length)
    expect(toServer[0]?.tcpFlags).toBe(TCP_FLAG.SYN)
    expect(toClient[0]?.tcpFlags).toBe(TCP_FLAG.SYN | TCP_FLAG.ACK)
    expect(toServer.some((packet) => ((packet.tcpFlags ?? 0) & TCP_FLAG.FIN) !== 0)).toBe(true)
    expect(toClient.some((packet) => ((packet.tcpFlags ?? 0) & TCP_FLAG.FIN) !== 0)).toBe(true)
    const sum = (packets: typeof tcp) => packets.reduce((total, packet) => total + packet.payloadLength, 0)
    expect(sum(toServer)).toBe(tcpWrites.reduce((total, size) => total + size, 0))
    expect(sum(toClient)).toBe(tcpWrites.length)

    // Ticks are batched: far fewer than packets, and they add up to the total.
    const last = elementAt(ticks, ticks.length - 1)
    expect(last.final).toBe(true)
    expect(last.counters.packets).toBe(referenceCount)
    expect(ticks.reduce((total, tick) => total + tick.newPackets, 0)).toBe(referenceCount)
    expect(ticks.length).toBeLessThan(referenceCount)
    await session.dispose()
  })

  it("refuses a bad filter with libpcap's own message and starts nothing", async () => {
    // Five capture helpers start one after the other: each a process start, slow on a loaded machine.
    for (const [filter, message] of [
      ['port notaport', "unknown port 'notaport'"],
      ['tcp and and', 'syntax error']
    ] as const) {
      const failure = await CaptureSession.start({ interface: 'lo', filter }).catch((error: unknown) => error)
      expect(failure).toBeInstanceOf(CaptureError)
      expect((failure as CaptureError).code).toBe('bad-filter')
      expect((failure as CaptureError).message).toContain(message)

      const checked = await compileCaptureFilter('lo', filter).catch((error: unknown) => error)
      expect((checked as CaptureError).code).toBe('bad-filter')
      expect((checked as CaptureError).message).toContain(message)
    }
    await expect(compileCaptureFilter('lo', `udp port ${peers.port}`)).resolves.toEqual({
      interface: 'lo',
      filter: `udp port ${peers.port}`,
      linkType: 1
    })
  }, 90_000)

  it('builds "capture this" filters that libpcap compiles', async () => {
    const filters = [
      captureFilterForSocket(buildSocket({ localAddress: '0.0.0.0', localPort: 8080 })),
      captureFilterForSocket(buildSocket({ localPort: 51234, remoteAddress: '192.0.2.7', remotePort: 443, state: 'ESTABLISHED' })),
      captureFilterForSocket(buildSocket({ family: 6, localAddress: 'fe80::1%lo', localPort: 22, remoteAddress: '::ffff:192.0.2.9', remotePort: 50000, state: 'ESTABLISHED' })),
      captureFilterForPorts([9000, 9001, 9002, 53].map((port) => ({ protocol: port === 53 ? ('udp' as const) : ('tcp' as const), port })))
    ]
    expect(filters.every((filter) => filter !== null)).toBe(true)
    const combined = filters.map((filter) => `(${filter})`).join(' or ')
    await expect(compileCaptureFilter('lo', combined)).resolves.toMatchObject({ linkType: 1 })
  })

  it('reports a missing interface as no-such-device', async () => {
    const failure = await startCaptureHelper({
      interface: 'sockscope-none0',
      filter: '',
      snaplen: 0,
      promiscuous: true,
      bufferSize: 1 << 20,
      limits: { maxPackets: null, maxBytes: null, maxDurationMs: null }
    }).catch((error: unknown) => error)
    expect((failure as CaptureError).code).toBe('no-such-device')
  })

  it('stops after a packet count, keeping exactly that many', async () => {
    const session = await CaptureSession.start({ interface: 'lo', filter: `udp dst port ${peers.port}`, limits: { maxPackets: 7 } })
    const received = collectPackets(session)
    await sendDatagrams(
      peers.port,
      Array.from({ length: 20 }, () => 64)
    )
    const summary = await session.ended
    expect(summary.end.reason).toBe('count')
    expect(summary.counters.packets).toBe(7)
    expect(received.map((item) => item.index)).toEqual([0, 1, 2, 3, 4, 5, 6])
  })

  it('stops after a byte count without going over it', async () => {
    // Each frame: 14 Ethernet + 20 IPv4 + 8 UDP + 100 payload = 142 bytes.
    const session = await CaptureSession.start({ interface: 'lo', filter: `udp dst port ${peers.port}`, limits: { maxBytes: 142 * 5 + 50 } })
    await sendDatagrams(
      peers.port,
      Array.from({ length: 20 }, () => 100)
    )
    const summary = await session.ended
    expect(summary.end.reason).toBe('bytes')
    expect(summary.counters.packets).toBe(5)
    expect(summary.counters.bytes).toBe(142 * 5)
  })

  it('stops after a duration', async () => {
    const session = await CaptureSession.start({ interface: 'lo', filter: `udp dst port ${peers.port}`, limits: { maxDurationMs: 400 } })
    const summary = await session.ended
    expect(summary.end.reason).toBe('duration')
    expect(summary.counters.packets).toBe(0)
  })

  it('truncates packets to the snaplen and keeps the wire length', async () => {
    const session = await CaptureSession.start({ interface: 'lo', filter: `udp dst port ${peers.port}`, snaplen: 60, limits: { maxPackets: 3 } })
    const received = collectPackets(session)
    await sendDatagrams(peers.port, [10, 500, 1400])
    await session.ended
    const packets = received.map((item) => item.packet)
    expect(packets.map((packet) => packet.data.length)).toEqual([52, 60, 60])
    expect(packets.map((packet) => packet.originalLength)).toEqual([52, 542, 1442])
  })

  it('counts what a stalled reader cannot take as dropped by the helper instead of queueing it', async () => {
    const helper = await startCaptureHelper({
      interface: 'lo',
      filter: `udp dst port ${peers.port}`,
      snaplen: 0,
      promiscuous: true,
      bufferSize: 64 * 1024 * 1024,
      limits: { maxPackets: null, maxBytes: null, maxDurationMs: null },
      batching: { maxBacklogBytes: 2 * 1024 * 1024 }
    })
    let delivered = 0
    helper.on('packets', (packets) => (delivered += packets.length))
    helper.pause()
    // 200 datagrams of 60,000 bytes: 12 MB, far more than the 2 MiB the helper may queue.
    for (let round = 0; round < 4; round++)
      await sendDatagrams(
        peers.port,
        Array.from({ length: 50 }, () => 60_000)
      )
    await new Promise((resolve) => setTimeout(resolve, 500))
    const end = await helper.stop()
    expect(end.reason).toBe('stopped')
    expect(end.stats.droppedByHelper).toBeGreaterThan(0)
    expect(end.stats.delivered + end.stats.droppedByHelper).toBe(end.stats.received)
    expect(delivered).toBe(end.stats.delivered)
    expect(end.stats.delivered * 60_042).toBeLessThan(4 * 1024 * 1024)
  })

  it('lists interfaces with addresses and link types, lo and any included', async () => {
    const interfaces = await listCaptureInterfaces()
    const loopback = interfaces.find((device) => device.name === 'lo')
    expect(loopback).toMatchObject({ loopback: true, linkType: 1, linkTypeName: 'ETHERNET', openError: null })
    expect(loopback?.addresses.map((address) => address.address)).toContain('127.0.0.1')
    expect(interfaces.find((device) => device.name === 'any')).toMatchObject({ linkType: 113 })
  })
})

describe.skipIf(!canRunAsNobody)('live capture without the privilege', () => {
  let shared: SharedFolder
  let asNobody: CaptureHelperLaunchOptions

  beforeAll(async () => {
    // nobody may not be able to read the checkout, so the helper runs from a bundle beside a copy of cap.
    shared = await makeSharedFolder('sockscope-helper-nobody')
    const helperPath = await bundleForOtherUsers(resolve(__dirname, '../../../../electron/capture-helper/index.ts'), shared.path, ['cap'])
    asNobody = { commandPrefix: AS_NOBODY, helperPath }
  })

  afterAll(async () => {
    await shared.remove()
  })

  it('reports permission-denied with the Linux advice naming the runtime', async () => {
    const failure = await CaptureSession.start({ interface: 'lo', filter: 'udp', helper: asNobody }).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(CaptureError)
    const error = failure as CaptureError
    expect(error.code).toBe('permission-denied')
    expect(error.message).toMatch(/Operation not permitted|permission/i)
    const runtime = realpathSync(process.execPath)
    expect(error.advice?.commands).toContain(`sudo setcap cap_net_raw,cap_net_admin=eip ${runtime}`)
    expect(error.describe()).toContain('run sockscope as root')
  })

  it('still lists interfaces, without link types and with the reason', async () => {
    const interfaces = await listCaptureInterfaces(asNobody)
    const loopback = interfaces.find((device) => device.name === 'lo')
    expect(loopback?.linkType).toBeNull()
    expect(loopback?.openError).toMatch(/permission|not permitted/i)
    expect(loopback?.openErrorCode).toBe('permission-denied')
  })
})

describe('a capture helper that never answers', () => {
  it('gives up after the request timeout, kills the helper and says why', async () => {
    const helperPath = join(workDirectory, 'silent-helper.js')
    // Reads its requests and never writes a word back.
    await writeFile(helperPath, 'process.stdin.resume()\n')
    const request = {
      interface: 'lo',
      filter: '',
      snaplen: 65535,
      promiscuous: false,
      bufferSize: 1024 * 1024,
      limits: { maxPackets: null, maxBytes: null, maxDurationMs: null }
    }
    const failure = await startCaptureHelper(request, { helperPath, requestTimeoutMs: 1000 }).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(CaptureError)
    expect((failure as CaptureError).code).toBe('helper-failed')
    expect((failure as CaptureError).message).toContain('did not report the capture started within 1000 ms')
    // On a loaded machine the helper may be killed before it could write its pid, so it is found
    // by its command line: no process may still be running the silent helper.
    const helperProcesses = async (): Promise<number[]> => {
      const found: number[] = []
      for (const entry of await readdir('/proc')) {
        if (!/^\d+$/.test(entry)) continue
        const commandLine = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')
        if (commandLine.split('\0').includes(helperPath)) found.push(Number(entry))
      }
      return found
    }
    let stillRunning: number[] = await helperProcesses()
    const alive = (): boolean => stillRunning.length > 0
    const deadline = Date.now() + 5000
    while (alive() && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      stillRunning = await helperProcesses()
    }
    expect(stillRunning).toEqual([])
  })
})
