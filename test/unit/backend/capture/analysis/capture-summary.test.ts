/**
 * `sockscope read --summary` counts from the header scan; the filtered summary and the older
 * callers count from decoded summaries. Both must give the same totals, conversations and TCP
 * analysis on every capture fixture and on crafted TCP captures (retransmissions, zero windows,
 * keep-alives…).
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CaptureSummaryBuilder, type CaptureTotals } from '../../../../../electron/backend/capture/analysis/capture-summary'
import { CaptureFileReader } from '../../../../../electron/backend/capture/files/capture-file-reader'
import { readRecordHeaders, summarizePacket } from '../../../../../electron/backend/capture/decode/packet-decoder'
import { PacketHeaders } from '../../../../../electron/backend/capture/decode/header-scan'
import { fastRetransmissionScript, keepAliveScript, repeatedSegmentsScript, writeScriptedTcpCapture, zeroWindowScript } from '../../../../support/capture/crafted-tcp-capture'

const fixtureDirectory = join(__dirname, '../../../../fixtures/capture')
let craftedDirectory = ''

beforeAll(async () => {
  craftedDirectory = await mkdtemp(join(tmpdir(), 'sockscope-summary-'))
  const scripts = { 'zero-window': zeroWindowScript(), 'keep-alive': keepAliveScript(), repeated: repeatedSegmentsScript(), 'fast-retransmission': fastRetransmissionScript() }
  for (const [name, script] of Object.entries(scripts)) await writeScriptedTcpCapture(join(craftedDirectory, `${name}.pcap`), script)
})

afterAll(async () => {
  await rm(craftedDirectory, { recursive: true, force: true })
})

/**
 * The totals of a file: with `scanned`, each packet read where it sits in the read buffer through
 * the header scan, as `read --summary` does; otherwise each packet decoded in full.
 */
async function totalsOf(path: string, scanned: boolean): Promise<{ totals: CaptureTotals; scannedPackets: number }> {
  const builder = new CaptureSummaryBuilder()
  let scannedPackets = 0
  if (scanned) {
    const headers = new PacketHeaders()
    const reader = new CaptureFileReader(path, { chunkSize: 4096 })
    await reader.readRecords({
      record(buffer, start, capturedLength, originalLength, interfaceIndex, seconds, nanos, comment) {
        headers.begin(interfaceIndex, seconds, nanos, originalLength, capturedLength, comment ?? null)
        builder.addHeaders(readRecordHeaders(headers, buffer, start, capturedLength, reader.interfaces[interfaceIndex]?.linkType ?? -1))
        if (!headers.addressesAsText) scannedPackets += 1
      }
    })
    expect(reader.error).toBeNull()
    return { totals: builder.totals(), scannedPackets }
  }
  for await (const batch of new CaptureFileReader(path)) {
    for (const packet of batch.packets) builder.add(summarizePacket(packet, batch.interfaces[packet.interfaceIndex]?.linkType ?? -1))
  }
  return { totals: builder.totals(), scannedPackets }
}

/** Everything the summary prints, as plain data. */
function printed(totals: CaptureTotals): unknown {
  const { conversations, conversationAnalysis, ...rest } = totals
  return { ...rest, conversations: [...conversations.conversations()], analyses: [...conversations.conversations()].map((_, flow) => conversationAnalysis(flow)) }
}

describe('capture summary from the header scan', () => {
  it('counts every fixture and crafted capture as the decoder does', async () => {
    const files = [
      ...(await readdir(fixtureDirectory)).map((name) => join(fixtureDirectory, name)),
      ...(await readdir(craftedDirectory)).map((name) => join(craftedDirectory, name))
    ]
    let scannedPackets = 0
    let tcpFindings = 0
    for (const path of files) {
      const fast = await totalsOf(path, true)
      const slow = await totalsOf(path, false)
      expect(printed(fast.totals), path).toEqual(printed(slow.totals))
      scannedPackets += fast.scannedPackets
      tcpFindings += Object.values(fast.totals.tcpAnalysis).reduce((sum, count) => sum + count, 0)
    }
    // The scan read a good share of the packets itself, and the crafted files gave the analysis work.
    expect(scannedPackets).toBeGreaterThan(100)
    expect(tcpFindings).toBeGreaterThan(5)
  })

  it('adds up packets, bytes, times and protocols as the packets say', async () => {
    for (const name of await readdir(fixtureDirectory)) {
      const path = join(fixtureDirectory, name)
      const { totals } = await totalsOf(path, true)
      const protocols: Record<string, number> = {}
      let [packets, bytes, capturedBytes, malformed] = [0, 0, 0, 0]
      const times: number[] = []
      for await (const batch of new CaptureFileReader(path)) {
        for (const packet of batch.packets) {
          const summary = summarizePacket(packet, batch.interfaces[packet.interfaceIndex]?.linkType ?? -1)
          protocols[summary.protocol] = (protocols[summary.protocol] ?? 0) + 1
          packets += 1
          bytes += packet.originalLength
          capturedBytes += packet.data.length
          if (summary.malformed !== null) malformed += 1
          times.push(packet.timestampSeconds * 1e9 + packet.timestampNanos)
        }
      }
      const first = totals.firstTimestamp === null ? null : totals.firstTimestamp.seconds * 1e9 + totals.firstTimestamp.nanos
      const last = totals.lastTimestamp === null ? null : totals.lastTimestamp.seconds * 1e9 + totals.lastTimestamp.nanos
      expect(
        { packets: totals.packets, bytes: totals.bytes, capturedBytes: totals.capturedBytes, malformed: totals.malformedPackets, protocols: totals.protocols, first, last },
        name
      ).toEqual({
        packets,
        bytes,
        capturedBytes,
        malformed,
        protocols,
        first: times.length === 0 ? null : Math.min(...times),
        last: times.length === 0 ? null : Math.max(...times)
      })
    }
  })
})
