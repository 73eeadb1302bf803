/**
 * Conversations and TCP stream reassembly against tshark's own statistics (`-z conv`) and
 * `follow,tcp,raw` on the real loopback fixture.
 */
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import type { PacketSummary } from '../../../../shared/model/decoded-packet'
import { buildConversations } from '../../../../electron/backend/capture/analysis/conversations'
import { followTcpStream, type SummarizedPacket } from '../../../../electron/backend/capture/analysis/stream-follow'
import { summarizePacket } from '../../../../electron/backend/capture/decode/packet-decoder'
import { readCaptureFile } from '../../../../electron/backend/capture/files/capture-file-reader'
import { wiresharkMissingReason } from '../../../support/capture/wireshark-tools'
import { elementAt } from '../../../../shared/element-at'

const path = join(__dirname, '../../../fixtures/capture/loopback.pcapng')

function tshark(args: string[]): string {
  return execFileSync('tshark', ['-r', path, '-q', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
}

/** Endpoint text the way tshark's conversation table prints it (IPv6 without brackets). */
const endpoint = (address: string, port: number | null) => `${address}:${port}`

describe.skipIf(wiresharkMissingReason !== null)(`capture analysis against tshark${wiresharkMissingReason ? ` (skipped: ${wiresharkMissingReason})` : ''}`, () => {
  let packets: SummarizedPacket[]
  let summaries: PacketSummary[]

  beforeAll(async () => {
    const file = await readCaptureFile(path)
    summaries = file.packets.map((packet) => summarizePacket(packet, elementAt(file.interfaces, packet.interfaceIndex).linkType))
    packets = file.packets.map((packet, index) => ({ summary: elementAt(summaries, index), data: packet.data }))
  })

  it('finds the TCP and UDP conversations tshark finds, with frames and bytes each way', () => {
    const output = tshark(['-z', 'conv,tcp', '-z', 'conv,udp'])
    const pattern = /^(\S+)\s+<->\s+(\S+)\s+(\d+)\s+(\d+) bytes\s+(\d+)\s+(\d+) bytes\s+(\d+)\s+(\d+) bytes/gm
    const theirs = [...output.matchAll(pattern)].map((match) => {
      const [, a, b, framesBToA, bytesBToA, framesAToB, bytesAToB] = match
      return { pair: [a, b].sort().join(' '), a: a!, framesAToB: Number(framesAToB), bytesAToB: Number(bytesAToB), framesBToA: Number(framesBToA), bytesBToA: Number(bytesBToA) }
    })
    expect(theirs.length).toBe(12)
    const ours = buildConversations(summaries).filter((conversation) => conversation.transport === 'tcp' || conversation.transport === 'udp')
    expect(ours.length).toBe(theirs.length)
    for (const reference of theirs) {
      const match = ours.find(
        (conversation) => [endpoint(conversation.addressA, conversation.portA), endpoint(conversation.addressB, conversation.portB)].sort().join(' ') === reference.pair
      )
      expect(match, reference.pair).toBeDefined()
      const sameSide = endpoint(match!.addressA, match!.portA) === reference.a
      expect([match!.packetsAToB, match!.bytesAToB, match!.packetsBToA, match!.bytesBToA]).toEqual(
        sameSide
          ? [reference.framesAToB, reference.bytesAToB, reference.framesBToA, reference.bytesBToA]
          : [reference.framesBToA, reference.bytesBToA, reference.framesAToB, reference.bytesAToB]
      )
    }
    const echo = ours.find((conversation) => conversation.portB === 7001)!
    expect(echo).toMatchObject({ handshakeComplete: true, finFromA: true, finFromB: true, rstSeen: false })
    expect(ours.find((conversation) => conversation.transport === 'tcp' && conversation.portB === 9)).toMatchObject({ synSeen: true, synAckSeen: false, rstSeen: true })
  })

  for (const stream of [0, 1, 3, 4, 5]) {
    it(`reassembles TCP stream ${stream} like follow,tcp,raw`, () => {
      const output = tshark(['-z', `follow,tcp,raw,${stream}`])
      // Nodes print as address:port, IPv6 in brackets, which is also how conversation keys spell them.
      const node = (index: number) => elementAt(new RegExp(`^Node ${index}: (.+)$`, 'm').exec(output)!, 1)
      const lines = output.split('\n').filter((line) => /^\t?[0-9a-f]+$/.test(line))
      const key = `6 ${[node(0), node(1)].sort().join(' ')}`
      const addressA = node(0)
        .slice(0, node(0).lastIndexOf(':'))
        .replace(/^\[(.*)\]$/, '$1')
      const followed = followTcpStream(packets, key)!
      expect(followed).not.toBeNull()
      // Join tshark's per-packet lines into runs per direction, as the segments are.
      const runs: { direction: string; hex: string }[] = []
      for (const line of lines) {
        const direction = line.startsWith('\t') ? 'b-to-a' : 'a-to-b'
        const last = runs[runs.length - 1]
        if (last?.direction === direction) last.hex += line.trim()
        else runs.push({ direction, hex: line.trim() })
      }
      expect(followed.conversation.addressA).toBe(addressA)
      expect(followed.segments.map((segment) => ({ direction: segment.direction, hex: Buffer.from(segment.bytes).toString('hex') }))).toEqual(runs)
      expect(followed.missingBytes).toBe(0)
    })
  }
})
