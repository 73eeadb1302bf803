/** The conversation table as a file: every TCP analysis count and round trip in CSV, rows whole in JSON. */
import { describe, expect, it } from 'vitest'
import type { ConversationRow } from '../../../../shared/model/capture-view'
import { CONVERSATION_CSV_COLUMNS, conversationTableCsv, conversationTableJson } from '../../../../shared/format/conversation-table-text'
import { emptyTcpAnalysis } from '../../../../shared/model/tcp-analysis'

const tcp: ConversationRow = {
  id: '0',
  transport: 'tcp',
  endpointA: '10.0.0.1:40000',
  endpointB: '10.0.0.2:443',
  portA: 40000,
  portB: 443,
  packetsAToB: 10,
  packetsBToA: 8,
  bytesAToB: 9000,
  bytesBToA: 600,
  startSeconds: 0.5,
  durationSeconds: 2,
  handshake: true,
  fin: true,
  reset: false,
  process: 'curl, "the" fetcher (42)',
  pid: 42,
  tcpAnalysis: {
    ...emptyTcpAnalysis(),
    retransmissions: 3,
    fastRetransmissions: 1,
    duplicateAcks: 4,
    lostSegments: 2,
    rtt: { samples: 5, minSeconds: 0.0012345, averageSeconds: 0.002, maxSeconds: 0.01 }
  }
}
const udp: ConversationRow = { ...tcp, id: '1', transport: 'udp', endpointB: '10.0.0.2:53', portB: 53, handshake: false, fin: false, process: null, pid: null, tcpAnalysis: null }

describe('conversation table export', () => {
  it('writes a header and one CSV line per row, analysis columns empty for UDP', () => {
    const lines = conversationTableCsv([tcp, udp]).split('\r\n')
    expect(lines).toHaveLength(4)
    const header = (lines[0] ?? '').split(',')
    expect(header).toEqual(CONVERSATION_CSV_COLUMNS.map((column) => column.name))
    const cell = (line: string, name: string) => {
      // The process name holds a comma and quotes: split the line the way a CSV reader would.
      const cells = [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)].map((match) => match[1] ?? '')
      return cells[header.indexOf(name)]
    }
    const tcpLine = lines[1] ?? ''
    expect(cell(tcpLine, 'retransmissions')).toBe('3')
    expect(cell(tcpLine, 'fast_retransmissions')).toBe('1')
    expect(cell(tcpLine, 'duplicate_acks')).toBe('4')
    expect(cell(tcpLine, 'lost_segments')).toBe('2')
    expect(cell(tcpLine, 'rtt_samples')).toBe('5')
    expect(cell(tcpLine, 'rtt_min_ms')).toBe('1.235')
    expect(cell(tcpLine, 'rtt_avg_ms')).toBe('2')
    expect(cell(tcpLine, 'rtt_max_ms')).toBe('10')
    expect(cell(tcpLine, 'process')).toBe('"curl, ""the"" fetcher (42)"')
    const udpLine = lines[2] ?? ''
    expect(cell(udpLine, 'retransmissions')).toBe('')
    expect(cell(udpLine, 'rtt_avg_ms')).toBe('')
    expect(lines[3]).toBe('')
  })

  it('keeps each row whole in JSON, the analysis object included', () => {
    const parsed = JSON.parse(conversationTableJson([tcp, udp])) as { conversations: ConversationRow[] }
    expect(parsed.conversations).toEqual([tcp, udp])
  })
})
