/** `sockscope read`: decode a pcap or pcapng file, packet by packet or as a summary. */
import type { Conversation, PacketSummary, PacketTimestamp } from '../../../shared/model/decoded-packet'
import { formatTimestampEpoch, formatTimestampIso, packetTimestamp, secondsBetween } from '../../../shared/model/decoded-packet'
import { formatHostPort } from '../../../shared/format/socket-text'
import { compilePacketFilter, PACKET_QUERY_HELP } from '../../../shared/query/packet-fields'
import { TCP_ANALYSIS, TCP_ANALYSIS_KINDS, TCP_RETRANSMISSION_BITS, tcpAnalysisText, type TcpConversationAnalysis } from '../../../shared/model/tcp-analysis'
import { CaptureSummaryBuilder, type CaptureTotals, summarizePacket, CaptureFileReader, type TcpAnalyzer, PacketHeaders, readRecordHeaders } from '../../backend'
import { parseCommandArguments, UsageError, type CliCommand, type CliIo } from '../cli-command'
import { formatQueryErrorForTerminal } from '../filter-option'
import { renderTextTable } from '../text-table'
import { elementAt } from '../../../shared/element-at'

/** Writes and waits for the stream to drain when its buffer is full, so a huge file never piles up in memory. */
async function write(stream: CliIo['out'], text: string): Promise<void> {
  if (!stream.write(text)) await new Promise<void>((resolve) => stream.once('drain', () => resolve()))
}

/** Both time forms the JSON output carries: ISO 8601 (UTC) and exact epoch seconds as a string. */
function timeFields(prefix: string, timestamp: PacketTimestamp | null): Record<string, string | null> {
  return {
    [prefix]: timestamp === null ? null : formatTimestampIso(timestamp),
    [`${prefix}Epoch`]: timestamp === null ? null : formatTimestampEpoch(timestamp)
  }
}

/** A packet's or conversation's end: `address:port`, or the bare address when there is no port. */
function endpoint(address: string | null, port: number | null): string {
  if (address === null) return ''
  return port === null ? address : formatHostPort(address, port)
}

/** The tshark names of a segment's TCP analysis findings (`retransmission`, `duplicate_ack`…). */
function analysisNames(flags: number): string[] {
  // A fast or spurious retransmission is a retransmission too, as tcp.analysis.retransmission counts it.
  const counted = (flags & TCP_RETRANSMISSION_BITS) !== 0 ? flags | TCP_ANALYSIS.RETRANSMISSION : flags
  return TCP_ANALYSIS_KINDS.filter((kind) => (counted & kind.bit) !== 0).map((kind) => kind.name)
}

/** One decoded packet as the JSON output prints it, with what the TCP analysis found. */
function packetJson(number: number, summary: PacketSummary, analysis: TcpAnalyzer): Record<string, unknown> {
  const timestamp = packetTimestamp(summary)
  return {
    number,
    ...timeFields('timestamp', timestamp),
    interface: summary.interfaceIndex,
    protocol: summary.protocol,
    source: summary.sourceAddress,
    sourcePort: summary.sourcePort,
    destination: summary.destinationAddress,
    destinationPort: summary.destinationPort,
    transport: summary.transport,
    length: summary.originalLength,
    capturedLength: summary.capturedLength,
    tcpFlags: summary.tcpFlags,
    info: summary.info,
    malformed: summary.malformed,
    comment: summary.comment,
    tcpAnalysis: analysis.flags === 0 ? [] : analysisNames(analysis.flags),
    duplicateAck: analysis.duplicateAckNumber === 0 ? null : analysis.duplicateAckNumber,
    ackRttSeconds: Number.isNaN(analysis.ackRttSeconds) ? null : analysis.ackRttSeconds
  }
}

/** A fixed-width row: the table is printed while the file streams, so widths cannot be measured first. */
function packetLine(number: number, summary: PacketSummary, analysis: TcpAnalyzer, start: PacketTimestamp, columns: number | undefined): string {
  const relative = secondsBetween(start, packetTimestamp(summary)).toFixed(6)
  const source = endpoint(summary.sourceAddress, summary.sourcePort)
  const destination = endpoint(summary.destinationAddress, summary.destinationPort)
  const malformed = summary.malformed === null ? '' : ` [malformed ${summary.malformed.layer}: ${summary.malformed.message}]`
  const process = summary.comment === null ? '' : ` {${summary.comment}}`
  const expert = analysis.flags === 0 ? '' : `[TCP ${tcpAnalysisText(analysis.flags, analysis.duplicateAckNumber)}] `
  const line = `${String(number).padStart(6)} ${relative.padStart(12)} ${source.padEnd(22)} → ${destination.padEnd(22)} ${summary.protocol.padEnd(7)} ${String(summary.originalLength).padStart(6)} ${expert}${summary.info}${malformed}${process}`
  return columns !== undefined && columns > 20 && line.length > columns ? `${line.slice(0, columns - 1)}…` : line
}

/** Conversations the text summary lists: the busiest, so the table stays readable whatever the file holds. */
const SUMMARY_TABLE_CONVERSATIONS = 50

/** Characters of JSON gathered before each write: the summary goes out in pieces of about this size. */
const JSON_PIECE_CHARACTERS = 64 * 1024

/**
 * One conversation as the JSON summary prints it: every field of the conversation, its times as
 * ISO text, then the same times as exact epoch text. Written out field by field rather than
 * spread, because a summary may print millions of them.
 */
export function conversationJson(conversation: Conversation, analysis: TcpConversationAnalysis | null): Record<string, unknown> {
  return {
    key: conversation.key,
    ipProtocol: conversation.ipProtocol,
    transport: conversation.transport,
    addressA: conversation.addressA,
    portA: conversation.portA,
    addressB: conversation.addressB,
    portB: conversation.portB,
    packetsAToB: conversation.packetsAToB,
    packetsBToA: conversation.packetsBToA,
    bytesAToB: conversation.bytesAToB,
    bytesBToA: conversation.bytesBToA,
    payloadBytesAToB: conversation.payloadBytesAToB,
    payloadBytesBToA: conversation.payloadBytesBToA,
    firstTimestamp: formatTimestampIso(conversation.firstTimestamp),
    lastTimestamp: formatTimestampIso(conversation.lastTimestamp),
    durationSeconds: conversation.durationSeconds,
    synSeen: conversation.synSeen,
    synAckSeen: conversation.synAckSeen,
    handshakeComplete: conversation.handshakeComplete,
    finFromA: conversation.finFromA,
    finFromB: conversation.finFromB,
    rstSeen: conversation.rstSeen,
    comment: conversation.comment,
    firstTimestampEpoch: formatTimestampEpoch(conversation.firstTimestamp),
    lastTimestampEpoch: formatTimestampEpoch(conversation.lastTimestamp),
    tcpAnalysis: analysis
  } satisfies Record<keyof Conversation, unknown> & Record<'firstTimestampEpoch' | 'lastTimestampEpoch', string> & { tcpAnalysis: TcpConversationAnalysis | null }
}

/** A JSON string or null. */
const jsonText = (value: string | null): string => (value === null ? 'null' : JSON.stringify(value))
/** A JSON number or null (a number that is not finite is null in JSON). */
const jsonNumber = (value: number | null): string => (value === null || !Number.isFinite(value) ? 'null' : String(value))

/**
 * A JSON string of text made only of characters JSON writes as they are: addresses, their
 * `address:port` forms and keys, transports and times, which this command builds from numbers.
 */
const plainJsonText = (value: string): string => `"${value}"`

/**
 * Exactly the text `JSON.stringify(conversationJson(…))` gives, written out directly: a summary
 * may list millions of conversations, and building an object per conversation to stringify it
 * was most of the time `read --summary --json` took on a file with a million of them.
 */
export function conversationJsonText(conversation: Conversation, analysis: TcpConversationAnalysis | null): string {
  const { firstTimestamp: first, lastTimestamp: last } = conversation
  return (
    `{"key":${plainJsonText(conversation.key)},"ipProtocol":${jsonNumber(conversation.ipProtocol)},"transport":${conversation.transport === null ? 'null' : plainJsonText(conversation.transport)},` +
    `"addressA":${plainJsonText(conversation.addressA)},"portA":${jsonNumber(conversation.portA)},"addressB":${plainJsonText(conversation.addressB)},"portB":${jsonNumber(conversation.portB)},` +
    `"packetsAToB":${jsonNumber(conversation.packetsAToB)},"packetsBToA":${jsonNumber(conversation.packetsBToA)},"bytesAToB":${jsonNumber(conversation.bytesAToB)},` +
    `"bytesBToA":${jsonNumber(conversation.bytesBToA)},"payloadBytesAToB":${jsonNumber(conversation.payloadBytesAToB)},"payloadBytesBToA":${jsonNumber(conversation.payloadBytesBToA)},` +
    `"firstTimestamp":${plainJsonText(formatTimestampIso(first))},"lastTimestamp":${plainJsonText(formatTimestampIso(last))},"durationSeconds":${jsonNumber(conversation.durationSeconds)},` +
    `"synSeen":${conversation.synSeen},"synAckSeen":${conversation.synAckSeen},"handshakeComplete":${conversation.handshakeComplete},` +
    `"finFromA":${conversation.finFromA},"finFromB":${conversation.finFromB},"rstSeen":${conversation.rstSeen},"comment":${jsonText(conversation.comment)},` +
    `"firstTimestampEpoch":${plainJsonText(formatTimestampEpoch(first))},"lastTimestampEpoch":${plainJsonText(formatTimestampEpoch(last))},` +
    `"tcpAnalysis":${analysis === null ? 'null' : JSON.stringify(analysis)}}`
  )
}

/**
 * Writes the JSON summary field by field and the conversations one by one, waiting whenever
 * the output is full: a file with millions of conversations would not fit in one string.
 */
async function writeSummaryJson(
  out: CliIo['out'],
  path: string,
  format: string | null,
  totals: CaptureTotals,
  filter: string | undefined,
  error: { message: string; offset: number } | null
): Promise<void> {
  const fields = {
    file: path,
    format,
    filter: filter ?? null,
    packets: totals.packets,
    bytes: totals.bytes,
    capturedBytes: totals.capturedBytes,
    ...timeFields('firstTimestamp', totals.firstTimestamp),
    ...timeFields('lastTimestamp', totals.lastTimestamp),
    durationSeconds: totals.durationSeconds,
    protocols: totals.protocols,
    malformedPackets: totals.malformedPackets,
    tcpAnalysis: totals.tcpAnalysis
  }
  let text = '{\n'
  for (const [name, value] of Object.entries(fields)) text += `  ${JSON.stringify(name)}: ${JSON.stringify(value)},\n`
  text += '  "conversations": ['
  let separator = '\n    '
  let flow = 0
  for (const conversation of totals.conversations.conversations()) {
    text += `${separator}${conversationJsonText(conversation, totals.conversationAnalysis(flow++))}`
    separator = ',\n    '
    if (text.length >= JSON_PIECE_CHARACTERS) {
      await write(out, text)
      text = ''
    }
  }
  text += `${totals.conversations.size === 0 ? '' : '\n  '}],\n  "error": ${JSON.stringify(error)}\n}\n`
  await write(out, text)
}

/** Seconds as milliseconds with three decimals, or '' for none. */
function millisecondsText(seconds: number | null): string {
  return seconds === null ? '' : (seconds * 1000).toFixed(3)
}

/** The capture's TCP analysis counts on one line. */
function tcpAnalysisLine(totals: CaptureTotals): string {
  const counts = totals.tcpAnalysis
  return [
    `${counts.retransmissions} retransmissions (${counts.fastRetransmissions} fast, ${counts.spuriousRetransmissions} spurious)`,
    `${counts.duplicateAcks} duplicate ACKs`,
    `${counts.outOfOrder} out of order`,
    `${counts.lostSegments} lost segments`,
    `${counts.zeroWindows} zero windows`,
    `${counts.windowFull} window full`,
    `${counts.keepAlives} keep-alives`
  ].join(', ')
}

function summaryText(path: string, format: string | null, totals: CaptureTotals): string {
  const time = (timestamp: PacketTimestamp | null) => (timestamp === null ? '-' : `${formatTimestampIso(timestamp)} (${formatTimestampEpoch(timestamp)})`)
  const { conversations } = totals
  const busiestFlows = conversations.busiest(SUMMARY_TABLE_CONVERSATIONS)
  const busiest = busiestFlows.map((flow) => conversations.conversationAt(flow))
  const analyses = new Map(busiest.map((conversation, position) => [conversation, totals.conversationAnalysis(elementAt(busiestFlows, position))]))
  const analysisOf = (conversation: Conversation) => analyses.get(conversation) ?? null
  const left = conversations.size - busiest.length
  const lines = [
    `File:       ${path} (${format ?? 'unknown format'})`,
    `Packets:    ${totals.packets}`,
    `Bytes:      ${totals.bytes} on the wire, ${totals.capturedBytes} captured`,
    `First:      ${time(totals.firstTimestamp)}`,
    `Last:       ${time(totals.lastTimestamp)}`,
    `Duration:   ${totals.durationSeconds.toFixed(6)} s`,
    `Protocols:  ${
      Object.entries(totals.protocols)
        .sort((first, second) => second[1] - first[1])
        .map(([name, count]) => `${name} ${count}`)
        .join(', ') || '-'
    }`,
    `Malformed:  ${totals.malformedPackets}`,
    `TCP:        ${tcpAnalysisLine(totals)}`,
    '',
    `Conversations (${conversations.size}${left > 0 ? `; the ${busiest.length} with the most bytes` : ''}, busiest first):`
  ]
  const table = renderTextTable(busiest, [
    { title: 'Proto', value: (conversation) => conversation.transport ?? String(conversation.ipProtocol) },
    { title: 'A', value: (conversation) => endpoint(conversation.addressA, conversation.portA), maxWidth: 46 },
    { title: 'B', value: (conversation) => endpoint(conversation.addressB, conversation.portB), maxWidth: 46 },
    { title: 'Pkts A→B', value: (conversation) => String(conversation.packetsAToB), align: 'right' },
    { title: 'Bytes A→B', value: (conversation) => String(conversation.bytesAToB), align: 'right' },
    { title: 'Pkts B→A', value: (conversation) => String(conversation.packetsBToA), align: 'right' },
    { title: 'Bytes B→A', value: (conversation) => String(conversation.bytesBToA), align: 'right' },
    { title: 'Duration', value: (conversation) => conversation.durationSeconds.toFixed(6), align: 'right' },
    { title: 'Retr', value: (conversation) => String(analysisOf(conversation)?.retransmissions ?? ''), align: 'right' },
    { title: 'RTT avg ms', value: (conversation) => millisecondsText(analysisOf(conversation)?.rtt.averageSeconds ?? null), align: 'right' },
    { title: 'Process', value: (conversation) => conversation.comment ?? '', maxWidth: 40 }
  ])
  const more = left > 0 ? `… and ${left} more conversations (--json lists every one)\n` : ''
  return `${lines.join('\n')}\n${table}${more}`
}

/** Reads a capture file. */
export const readCommand: CliCommand = {
  help: `Usage: sockscope read FILE [--json] [--summary] [--filter EXPR]

Decodes a pcap or pcapng file (either byte order, micro- or nanosecond timestamps, any
number of pcapng sections and interfaces) and prints its packets or a summary.

  --summary       totals instead of packets: packet count, bytes, first and last
                  packet time, protocols and conversations (the text lists the
                  ${SUMMARY_TABLE_CONVERSATIONS} with the most bytes; the JSON lists every one)
  --json          JSON instead of text: an array of packets, or with --summary one
                  object with at least "packets", "bytes" (the sum of the packets'
                  lengths on the wire, as capinfos counts "data size"),
                  "firstTimestamp", "lastTimestamp", "conversations" and
                  "tcpAnalysis" (retransmissions, duplicateAcks, outOfOrder,
                  lostSegments, zeroWindows… counted as tshark counts its
                  tcp.analysis.* fields; each TCP conversation has its own, with
                  the ACK round trips)
  --filter EXPR   only packets matching EXPR (the capture view's filter language,
                  below); with --summary the totals count only those packets

Times: JSON gives each time twice: "...Timestamp" is ISO 8601 in UTC with all nine
fractional digits (2026-01-02T03:04:05.123456789Z), "...TimestampEpoch" is epoch
seconds as a string with nine decimals (exact to the nanosecond, unlike a float).
The text table shows seconds since the file's first packet.

A damaged or truncated file: every packet before the damage is printed (or counted
in the summary, whose JSON then carries "error"), the error with its byte offset
goes to stderr, and the exit code is 1.

Filter language:
${PACKET_QUERY_HELP}
`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArguments(
      argv,
      {
        json: { type: 'boolean' },
        summary: { type: 'boolean' },
        filter: { type: 'string' }
      },
      true
    )
    if (values.help) {
      io.out.write(this.help)
      return 0
    }
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'read needs a FILE' : 'read takes one FILE')
    const path = elementAt(positionals, 0)
    const filterSource = values.filter
    let matches = (_summary: PacketSummary) => true
    if (filterSource !== undefined) {
      const compiled = compilePacketFilter(filterSource)
      if (!compiled.ok) throw new UsageError(`bad --filter: ${formatQueryErrorForTerminal(filterSource, compiled.error)}`)
      matches = compiled.query.matches
    }

    // Every packet is done with before the next batch is read: its bytes need no copy.
    const reader = new CaptureFileReader(path, { sharedBytes: true })
    const totals = new CaptureSummaryBuilder(filterSource !== undefined)
    const columns = io.out.isTTY ? io.out.columns : undefined
    let number = 0
    let printed = 0
    let start: PacketTimestamp | null = null
    if (values.summary && filterSource === undefined) {
      // The totals need only header fields: read where they sit in the file's buffer, no object or text per packet.
      const headers = new PacketHeaders()
      await reader.readRecords({
        record(buffer, start, capturedLength, originalLength, interfaceIndex, seconds, nanos, comment) {
          headers.begin(interfaceIndex, seconds, nanos, originalLength, capturedLength, comment ?? null)
          totals.addHeaders(readRecordHeaders(headers, buffer, start, capturedLength, reader.interfaces[interfaceIndex]?.linkType ?? -1))
          number += 1
        }
      })
    } else {
      if (!values.summary && values.json) await write(io.out, '[')
      else if (!values.summary && io.out.isTTY) {
        await write(io.out, `${'No.'.padStart(6)} ${'Time'.padStart(12)} ${'Source'.padEnd(22)}   ${'Destination'.padEnd(22)} ${'Proto'.padEnd(7)} ${'Length'.padStart(6)} Info\n`)
      }
      for await (const batch of reader) {
        let text = ''
        for (const packet of batch.packets) {
          number += 1
          const summary = summarizePacket(packet, batch.interfaces[packet.interfaceIndex]?.linkType ?? -1)
          // Times count from the file's first packet, filtered or not, as tshark's do.
          start ??= packetTimestamp(summary)
          // Every packet is judged, shown or not: a segment is a retransmission because of the ones before it.
          const analysis = totals.judge(summary)
          if (!matches(analysis.flags === 0 ? summary : { ...summary, tcpAnalysis: analysis.flags })) continue
          if (values.summary) {
            totals.count(summary)
            continue
          }
          if (values.json) text += `${printed === 0 ? '\n' : ',\n'}${JSON.stringify(packetJson(number, summary, analysis))}`
          else text += `${packetLine(number, summary, analysis, start, columns)}\n`
          printed += 1
        }
        if (text !== '') await write(io.out, text)
      }
    }
    const error = reader.error === null ? null : { message: reader.error.message, offset: reader.error.offset }
    if (values.summary) {
      const result = totals.totals()
      if (values.json) await writeSummaryJson(io.out, path, reader.format, result, filterSource, error)
      else await write(io.out, summaryText(path, reader.format, result))
    } else if (values.json) {
      await write(io.out, printed === 0 ? ']\n' : '\n]\n')
    }
    if (reader.error !== null) {
      io.err.write(`sockscope read: ${path}: ${reader.error.message} (${number} packets read before it)\n`)
      return 1
    }
    return 0
  }
}
