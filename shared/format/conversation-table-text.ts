/**
 * The capture's conversation table as a file: CSV with one column per value (the TCP analysis
 * counts and round trips included), or JSON with the rows as they are. The capture file itself
 * never carries the analysis; this is where it leaves the app.
 */
import type { ConversationRow } from '../model/capture-view'
import { csvLine } from './csv-text'

/** One CSV column: its header and its value for a row. */
interface ConversationColumn {
  readonly name: string
  readonly value: (row: ConversationRow) => string | number | boolean | null
}

/** Milliseconds with microsecond precision, or null. */
const milliseconds = (seconds: number | null | undefined): number | null => (seconds === null || seconds === undefined ? null : Math.round(seconds * 1e6) / 1e3)

/** The CSV columns, in order. TCP analysis columns are empty for other transports. */
export const CONVERSATION_CSV_COLUMNS: readonly ConversationColumn[] = [
  { name: 'id', value: (row) => row.id },
  { name: 'transport', value: (row) => row.transport },
  { name: 'endpoint_a', value: (row) => row.endpointA },
  { name: 'endpoint_b', value: (row) => row.endpointB },
  { name: 'packets_a_to_b', value: (row) => row.packetsAToB },
  { name: 'packets_b_to_a', value: (row) => row.packetsBToA },
  { name: 'bytes_a_to_b', value: (row) => row.bytesAToB },
  { name: 'bytes_b_to_a', value: (row) => row.bytesBToA },
  { name: 'start_seconds', value: (row) => row.startSeconds },
  { name: 'duration_seconds', value: (row) => row.durationSeconds },
  { name: 'handshake', value: (row) => row.handshake },
  { name: 'fin', value: (row) => row.fin },
  { name: 'reset', value: (row) => row.reset },
  { name: 'process', value: (row) => row.process },
  { name: 'pid', value: (row) => row.pid },
  { name: 'retransmissions', value: (row) => row.tcpAnalysis?.retransmissions ?? null },
  { name: 'fast_retransmissions', value: (row) => row.tcpAnalysis?.fastRetransmissions ?? null },
  { name: 'spurious_retransmissions', value: (row) => row.tcpAnalysis?.spuriousRetransmissions ?? null },
  { name: 'out_of_order', value: (row) => row.tcpAnalysis?.outOfOrder ?? null },
  { name: 'lost_segments', value: (row) => row.tcpAnalysis?.lostSegments ?? null },
  { name: 'duplicate_acks', value: (row) => row.tcpAnalysis?.duplicateAcks ?? null },
  { name: 'zero_windows', value: (row) => row.tcpAnalysis?.zeroWindows ?? null },
  { name: 'window_full', value: (row) => row.tcpAnalysis?.windowFull ?? null },
  { name: 'keep_alives', value: (row) => row.tcpAnalysis?.keepAlives ?? null },
  { name: 'rtt_samples', value: (row) => row.tcpAnalysis?.rtt.samples ?? null },
  { name: 'rtt_min_ms', value: (row) => milliseconds(row.tcpAnalysis?.rtt.minSeconds) },
  { name: 'rtt_avg_ms', value: (row) => milliseconds(row.tcpAnalysis?.rtt.averageSeconds) },
  { name: 'rtt_max_ms', value: (row) => milliseconds(row.tcpAnalysis?.rtt.maxSeconds) }
]

/** The rows as CSV, with a header line. */
export function conversationTableCsv(rows: readonly ConversationRow[]): string {
  let text = csvLine(CONVERSATION_CSV_COLUMNS.map((column) => column.name))
  for (const row of rows) text += csvLine(CONVERSATION_CSV_COLUMNS.map((column) => column.value(row)))
  return text
}

/** The rows as JSON, each with its TCP analysis object (null for other transports). */
export function conversationTableJson(rows: readonly ConversationRow[]): string {
  return `${JSON.stringify({ conversations: rows }, null, 2)}\n`
}
