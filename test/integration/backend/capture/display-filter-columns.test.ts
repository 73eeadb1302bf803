/**
 * The display filter's column pass against the plain way: for each filter and file, the packets
 * the capture view keeps must be exactly those the filter keeps when every packet is decoded in
 * full (with its TCP analysis findings and comment, as the filter record carries them).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBackend, type Backend } from '../../../../electron/backend/backend'
import { CaptureSummaryBuilder } from '../../../../electron/backend/capture/analysis/capture-summary'
import { summarizePacket } from '../../../../electron/backend/capture/decode/packet-decoder'
import { CaptureFileReader } from '../../../../electron/backend/capture/files/capture-file-reader'
import type { Envelope } from '../../../../shared/contract/envelope'
import type { ImportProgress } from '../../../../shared/model/capture-transfer'
import type { CaptureViewState, DisplayFilterResult } from '../../../../shared/model/capture-view'
import { compilePacketFilter } from '../../../../shared/query/packet-fields'
import { fastRetransmissionScript, writeScriptedTcpCapture } from '../../../support/capture/crafted-tcp-capture'
import { waitFor } from '../../../support/wait-for'

const fixtures = resolve(__dirname, '../../../fixtures/capture')
const FILTERS = [
  'lport:40007',
  'port:53',
  'sport:1-1024 or dport:>50000',
  'proto:tcp',
  'proto:dns',
  'proto:udp -port:53',
  'family:6',
  'flags:syn',
  'flags:fin or flags:rst',
  'len:>100',
  'len:<=60',
  'malformed:yes',
  'fragment:yes',
  'addr:127.0.0.1',
  'dst:192.0.2.0/24',
  'src:127.0.0.0/8',
  'src:192.0.2.10',
  'analysis:any',
  'analysis:duplicate_ack or analysis:retransmission',
  'proto:tcp -analysis:any',
  'GET',
  'proc:curl',
  'proto:icmp or proto:arp'
]

let backend: Backend
let directory: string

async function call<T>(channel: string, args: unknown): Promise<T> {
  const result = (await backend.handle(channel, args)) as Envelope<T>
  if (!result.ok) throw new Error(`${channel}: ${result.error.code}: ${result.error.message}`)
  return result.value
}

/** The number of packets each filter keeps when every packet is decoded. */
async function decodedMatches(path: string): Promise<Map<string, number>> {
  const compiled = FILTERS.map((filter) => {
    const result = compilePacketFilter(filter)
    if (!result.ok) throw new Error(result.error.message)
    return [filter, result.query] as const
  })
  const counts = new Map(FILTERS.map((filter) => [filter, 0]))
  const judge = new CaptureSummaryBuilder()
  for await (const batch of new CaptureFileReader(path)) {
    for (const packet of batch.packets) {
      const summary = summarizePacket(packet, batch.interfaces[packet.interfaceIndex]?.linkType ?? -1)
      const flags = judge.judge(summary).flags
      const record = flags === 0 ? summary : { ...summary, tcpAnalysis: flags }
      for (const [filter, query] of compiled) if (query.matches(record)) counts.set(filter, (counts.get(filter) ?? 0) + 1)
    }
  }
  return counts
}

async function importFile(path: string): Promise<void> {
  const bytes = await readFile(path)
  const begun = await call<ImportProgress>('capture/import-begin', { fileName: 'file', size: bytes.length })
  await call('capture/import-chunk', { importId: begun.importId, offset: 0, data: bytes.toString('base64') })
  await call('capture/import-end', { importId: begun.importId })
}

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'sockscope-filter-columns-'))
  await writeScriptedTcpCapture(join(directory, 'losses.pcap'), fastRetransmissionScript())
})

afterAll(async () => {
  await rm(directory, { recursive: true, force: true })
})

describe('display filter column pass', () => {
  for (const file of ['loopback.pcapng', 'fragments.pcap', 'any-sll2.pcap', 'multi-interface.pcapng', 'losses.pcap']) {
    it(`keeps the same packets as decoding every one, in ${file}`, async () => {
      const path = file === 'losses.pcap' ? join(directory, file) : join(fixtures, file)
      backend = createBackend({ autoStart: false, resolveNames: false, dataDirectory: join(directory, `data-${file}`) })
      try {
        await importFile(path)
        const expected = await decodedMatches(path)
        for (const filter of FILTERS) {
          const set = await call<DisplayFilterResult>('capture/set-display-filter', { filter })
          expect(set.error).toBeNull()
          await waitFor(async () => !(await call<CaptureViewState>('capture/view-state', {})).filtering)
          expect((await call<CaptureViewState>('capture/view-state', {})).matched, filter).toBe(expected.get(filter))
        }
      } finally {
        await backend.dispose()
      }
    })
  }
})
