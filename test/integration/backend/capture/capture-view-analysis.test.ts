/**
 * The TCP analysis where the capture view shows it: an imported file's packet rows (Expert text
 * and severity), the details tree, the `analysis:` display filter, the conversation row's
 * counts and round trips, the followed stream's retransmitted bytes, and an export that keeps
 * the file as it was (the analysis never goes into it).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createBackend, type Backend } from '../../../../electron/backend/backend'
import { CaptureFileReader } from '../../../../electron/backend/capture/files/capture-file-reader'
import type { ExportChunk, ExportTicket, ImportProgress } from '../../../../shared/model/capture-transfer'
import type { ConversationList, DisplayFilterResult, FollowedStream, PacketDetails, PacketListPage, CaptureViewState } from '../../../../shared/model/capture-view'
import type { DecodedField } from '../../../../shared/model/decoded-packet'
import type { Envelope } from '../../../../shared/contract/envelope'
import { fastRetransmissionScript, writeScriptedTcpCapture, zeroWindowScript, type ScriptedSegment } from '../../../support/capture/crafted-tcp-capture'
import { waitFor } from '../../../support/wait-for'

let backend: Backend
let directory: string

async function call<T>(channel: string, args: unknown): Promise<T> {
  const result = (await backend.handle(channel, args)) as Envelope<T>
  if (!result.ok) throw new Error(`${channel}: ${result.error.code}: ${result.error.message}`)
  return result.value
}

/** Writes the script as a pcap and imports it whole; returns the file's bytes. */
async function importScript(name: string, script: ScriptedSegment[]): Promise<Buffer> {
  const path = join(directory, name)
  await writeScriptedTcpCapture(path, script)
  const bytes = await readFile(path)
  const begun = await call<ImportProgress>('capture/import-begin', { fileName: name, size: bytes.length })
  await call('capture/import-chunk', { importId: begun.importId, offset: 0, data: bytes.toString('base64') })
  await call('capture/import-end', { importId: begun.importId })
  return bytes
}

/** Every field of a tree, children included. */
function allFields(fields: readonly DecodedField[]): DecodedField[] {
  return fields.flatMap((field) => [field, ...allFields(field.children)])
}

async function filterMatches(filter: string): Promise<number> {
  const result = await call<DisplayFilterResult>('capture/set-display-filter', { filter })
  expect(result.error).toBeNull()
  await waitFor(async () => !(await call<CaptureViewState>('capture/view-state', {})).filtering)
  return (await call<CaptureViewState>('capture/view-state', {})).matched
}

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'sockscope-capture-analysis-'))
  backend = createBackend({ autoStart: false, resolveNames: false, dataDirectory: join(directory, 'data') })
})

afterEach(async () => {
  await backend.dispose()
  await rm(directory, { recursive: true, force: true })
})

describe('TCP analysis in the capture view', () => {
  it('marks rows, fills the tree, filters on analysis: and counts per conversation, as tshark judges the same file', async () => {
    await importScript('losses.pcap', fastRetransmissionScript())
    const page = await call<PacketListPage>('capture/packet-page', { start: 0, count: 100 })
    expect(page.total).toBe(28)
    const row = (frame: number) => page.rows.find((candidate) => candidate.index === frame - 1)
    // Frame numbers and findings as tshark prints them for this file (see the crafted-capture tests).
    expect(row(4)).toMatchObject({ expert: 'Previous segment not captured', expertSeverity: 'warning' })
    expect(row(5)).toMatchObject({ expert: 'Dup ACK #1', expertSeverity: 'note' })
    expect(row(9)).toMatchObject({ expert: 'Dup ACK #3' })
    expect(row(10)).toMatchObject({ expert: 'Fast Retransmission', expertSeverity: 'note' })
    expect(row(18)).toMatchObject({ expert: 'Retransmission' })
    expect(row(27)).toMatchObject({ expert: 'Out-Of-Order', expertSeverity: 'warning' })
    expect(row(6)).toMatchObject({ expert: '', expertSeverity: null })
    expect(row(11)?.ackRttSeconds).toBeCloseTo(0.046, 6)

    const details = await call<PacketDetails>('capture/packet-details', { index: 9 })
    const tcp = details.layers.find((layer) => layer.kind === 'tcp')
    const names = allFields(tcp?.fields ?? []).map((field) => field.name)
    expect(names).toEqual(expect.arrayContaining(['tcp.analysis', 'tcp.analysis.flags', 'tcp.analysis.fast_retransmission']))
    const ack = await call<PacketDetails>('capture/packet-details', { index: 10 })
    const ackFields = allFields(ack.layers.find((layer) => layer.kind === 'tcp')?.fields ?? [])
    expect(ackFields.find((field) => field.name === 'tcp.analysis.acks_frame')?.value).toBe(8)
    expect(ackFields.find((field) => field.name === 'tcp.analysis.ack_rtt')?.value).toBeCloseTo(0.046, 6)

    expect(await filterMatches('analysis:retransmission')).toBe(2)
    expect(await filterMatches('analysis:fast_retransmission')).toBe(1)
    expect(await filterMatches('analysis:duplicate-ack')).toBe(9)
    expect(await filterMatches('analysis:lost_segment or analysis:out_of_order')).toBe(4)
    expect(await filterMatches('proto:tcp -analysis:any')).toBe(28 - 2 - 9 - 4)
    const refused = await call<DisplayFilterResult>('capture/set-display-filter', { filter: 'analysis:retransmision' })
    expect(refused.error?.message).toMatch(/unknown TCP analysis finding/)

    const conversations = await call<ConversationList>('capture/conversations', { limit: 10 })
    expect(conversations.conversations[0]?.tcpAnalysis).toMatchObject({
      retransmissions: 2,
      fastRetransmissions: 1,
      duplicateAcks: 9,
      lostSegments: 3,
      outOfOrder: 1,
      rtt: { samples: 5 }
    })
    const rtt = conversations.conversations[0]?.tcpAnalysis?.rtt
    expect(rtt?.minSeconds).toBeCloseTo(0.01, 9)
    expect(rtt?.maxSeconds).toBeCloseTo(0.046, 9)
    expect(rtt?.averageSeconds).toBeCloseTo((0.01 + 0.01 + 0.046 + 0.046 + 0.02) / 5, 9)
  })

  it('follows the stream with the bytes that came only in retransmissions marked', async () => {
    await importScript('losses.pcap', fastRetransmissionScript())
    const conversations = await call<ConversationList>('capture/conversations', { limit: 10 })
    const stream = await call<FollowedStream>('capture/follow-stream', { conversationId: conversations.conversations[0]?.id ?? '' })
    const marked = stream.chunks.filter((chunk) => chunk.retransmitted)
    // The two segments judged retransmissions fill their gaps with 100 bytes each; the third
    // resent one came within the round trip, so it is out of order, not a retransmission.
    expect(marked.map((chunk) => Buffer.from(chunk.data, 'base64').length)).toEqual([100, 100])
    expect(stream.chunks.filter((chunk) => !chunk.retransmitted).length).toBeGreaterThan(0)
    expect(stream.notes.join(' ')).toMatch(/retransmission/)
  })

  it('counts a shut window per conversation and exports the file exactly as it was read', async () => {
    const original = await importScript('zero-window.pcap', zeroWindowScript())
    const conversations = await call<ConversationList>('capture/conversations', { limit: 10 })
    expect(conversations.conversations[0]?.tcpAnalysis).toMatchObject({ zeroWindows: 5, zeroWindowProbes: 3, windowFull: 1, retransmissions: 0 })
    expect(await filterMatches('analysis:zero_window')).toBe(5)

    const ticket = await call<ExportTicket>('capture/export-begin', { format: 'pcap', scope: 'all' })
    const parts: Buffer[] = []
    for (let done = false, offset = 0; !done;) {
      const chunk = await call<ExportChunk>('capture/export-chunk', { exportId: ticket.exportId, offset })
      const data = Buffer.from(chunk.data, 'base64')
      parts.push(data)
      offset += data.length
      done = chunk.done
    }
    await call('capture/export-end', { exportId: ticket.exportId })
    const exported = join(directory, 'exported.pcap')
    await writeFile(exported, Buffer.concat(parts))
    const packetsOf = async (path: string) => {
      const packets: string[] = []
      for await (const batch of new CaptureFileReader(path))
        for (const packet of batch.packets) packets.push(`${packet.timestampSeconds}.${packet.timestampNanos} ${Buffer.from(packet.data).toString('hex')} ${packet.comment ?? ''}`)
      return packets
    }
    expect(ticket.totalBytes).toBe(original.length)
    expect(await packetsOf(exported)).toEqual(await packetsOf(join(directory, 'zero-window.pcap')))
  })
})
