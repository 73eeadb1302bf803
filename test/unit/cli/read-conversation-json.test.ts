/** `read --summary --json` writes each conversation by hand: the text must be exactly what JSON.stringify gives. */
import { describe, expect, it } from 'vitest'
import { conversationJson, conversationJsonText } from '../../../electron/cli/commands/read'
import type { Conversation } from '../../../shared/model/decoded-packet'
import { emptyTcpAnalysis } from '../../../shared/model/tcp-analysis'

const tcp: Conversation = {
  key: '6 [2001:db8::1]:443 [2001:db8::2]:50000',
  ipProtocol: 6,
  transport: 'tcp',
  addressA: '2001:db8::2',
  portA: 50000,
  addressB: '2001:db8::1',
  portB: 443,
  packetsAToB: 12,
  packetsBToA: 10,
  bytesAToB: 123_456_789_012,
  bytesBToA: 0,
  payloadBytesAToB: 1e21,
  payloadBytesBToA: 7,
  firstTimestamp: { seconds: 1_700_000_000, nanos: 5 },
  lastTimestamp: { seconds: 1_700_000_001, nanos: 999_999_999 },
  durationSeconds: 1.000000000123,
  synSeen: true,
  synAckSeen: true,
  handshakeComplete: false,
  finFromA: false,
  finFromB: true,
  rstSeen: false,
  comment: 'process: "quoted\\name" \u2028 (pid 7)'
}

describe('conversation JSON text', () => {
  it('is character for character what JSON.stringify writes, with and without analysis, with nulls and odd text', () => {
    const analysis = { ...emptyTcpAnalysis(), retransmissions: 3, rtt: { samples: 2, minSeconds: 0.000001, averageSeconds: 0.0015, maxSeconds: 0.003 } }
    const icmp: Conversation = { ...tcp, key: '1 10.0.0.1 10.0.0.2', ipProtocol: 1, transport: null, portA: null, portB: null, comment: null, durationSeconds: Number.NaN }
    for (const [conversation, found] of [
      [tcp, analysis],
      [tcp, null],
      [icmp, null]
    ] as const) {
      expect(conversationJsonText(conversation, found)).toBe(JSON.stringify(conversationJson(conversation, found)))
    }
  })
})
