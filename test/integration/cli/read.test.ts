/**
 * `sockscope read` from the build, checked against capinfos and tshark on the real capture
 * fixtures: summary totals and times, packet lists, filters, and damaged files.
 */
import { spawnSync } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runBuiltCli, type CliRun } from '../../support/built-cli'
import { tsharkFields, wiresharkMissingReason } from '../../support/capture/wireshark-tools'

const fixtures = resolve(__dirname, '../../fixtures/capture')
const names = readdirSync(fixtures).filter((name) => /\.pcap(ng)?$/.test(name))

/** `sockscope read ...args` from the build. */
function read(...args: string[]): Promise<CliRun> {
  return runBuiltCli('read', ...args)
}

/** capinfos' count, data size and first/last times (epoch text) for a file, even a damaged one. */
function capinfos(path: string): { packets: number; bytes: number; first: string; last: string } {
  const output = spawnSync('capinfos', ['-T', '-r', '-c', '-d', '-S', '-a', '-e', path], { encoding: 'utf8' }).stdout
  const [, packets, bytes, first, last] = output.trim().split('\t')
  return { packets: Number(packets), bytes: Number(bytes), first: first!, last: last! }
}

/** Epoch text with nine decimals, as sockscope prints it; capinfos prints six for microsecond files. */
const nineDecimals = (epoch: string) => {
  const [whole, fraction = ''] = epoch.split('.')
  return `${whole}.${fraction.padEnd(9, '0')}`
}

interface SummaryJson {
  packets: number
  bytes: number
  firstTimestamp: string
  firstTimestampEpoch: string
  lastTimestamp: string
  lastTimestampEpoch: string
  conversations: { transport: string; packetsAToB: number; packetsBToA: number; bytesAToB: number; bytesBToA: number }[]
  error: { message: string; offset: number } | null
}

let directory: string

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'sockscope-read-'))
})

afterAll(async () => {
  await rm(directory, { recursive: true, force: true })
})

describe.skipIf(wiresharkMissingReason !== null)(`sockscope read${wiresharkMissingReason ? ` (skipped: ${wiresharkMissingReason})` : ''}`, () => {
  for (const name of names) {
    it(`--summary --json agrees with capinfos on ${name}`, async () => {
      const path = join(fixtures, name)
      const result = await read(path, '--summary', '--json')
      expect(result.code, result.stderr).toBe(0)
      const summary = JSON.parse(result.stdout) as SummaryJson
      const reference = capinfos(path)
      expect(summary.packets).toBe(reference.packets)
      expect(summary.bytes).toBe(reference.bytes)
      expect(summary.firstTimestampEpoch).toBe(nineDecimals(reference.first))
      expect(summary.lastTimestampEpoch).toBe(nineDecimals(reference.last))
      expect(Date.parse(summary.firstTimestamp)).toBe(Math.floor(Number(reference.first) * 1000))
      expect(summary.error).toBeNull()
      const conversationBytes = summary.conversations.reduce((sum, conversation) => sum + conversation.bytesAToB + conversation.bytesBToA, 0)
      expect(conversationBytes).toBeLessThanOrEqual(summary.bytes)
    })
  }

  it('prints every packet as JSON with tshark timestamps, and as plain lines', async () => {
    const path = join(fixtures, 'loopback.pcapng')
    const result = await read(path, '--json')
    expect(result.code).toBe(0)
    const packets = JSON.parse(result.stdout) as { number: number; timestampEpoch: string; length: number; protocol: string; info: string }[]
    const reference = tsharkFields(path, ['frame.number', 'frame.time_epoch', 'frame.len'])
    expect(packets.map((packet) => [packet.number, packet.timestampEpoch, packet.length])).toEqual(
      reference.map(([number, time, length]) => [Number(number), time, Number(length)])
    )
    expect(packets.find((packet) => packet.protocol === 'HTTP')!.info).toBe('GET /hello?from=sockscope HTTP/1.1')
    const lines = (await read(path)).stdout.trimEnd().split('\n')
    expect(lines).toHaveLength(reference.length)
    expect(lines[0]).toMatch(/^\s+1\s+0\.000000 127\.0\.0\.1:\d+\s+→ 127\.0\.0\.1:7001\s+TCP\s+74 .*\[SYN\]/)
  })

  for (const [filter, displayFilter] of [
    ['proto:dns', 'dns'],
    ['port:53', 'tcp.port == 53 || udp.port == 53'],
    ['flags:syn', 'tcp.flags.syn == 1'],
    ['addr:::1', 'ipv6.addr == ::1'],
    ['proto:tls or proto:http', 'tls || http'],
    ['proto:udp -port:53', 'udp && !(udp.port == 53) && !icmp && !icmpv6']
  ]) {
    it(`--filter "${filter}" keeps what tshark -Y "${displayFilter}" keeps`, async () => {
      const path = join(fixtures, 'loopback.pcapng')
      const result = await read(path, '--json', '--filter', filter!)
      expect(result.code, result.stderr).toBe(0)
      const numbers = (JSON.parse(result.stdout) as { number: number }[]).map((packet) => packet.number)
      const reference = tsharkFields(path, ['frame.number'], displayFilter).map((row) => Number(row[0]))
      expect(numbers.length).toBeGreaterThan(0)
      expect(numbers).toEqual(reference)
      const summary = JSON.parse((await read(path, '--summary', '--json', '--filter', filter!)).stdout) as SummaryJson
      expect(summary.packets).toBe(reference.length)
    })
  }

  it('a damaged file: what was read, the offset on stderr, exit 1', async () => {
    const original = await readFile(join(fixtures, 'loopback.pcapng'))
    const path = join(directory, 'cut.pcapng')
    await writeFile(path, original.subarray(0, 5000))
    const result = await read(path, '--summary', '--json')
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/at byte offset \d+/)
    const summary = JSON.parse(result.stdout) as SummaryJson
    const reference = capinfos(path)
    expect(summary.packets).toBe(reference.packets)
    expect(summary.bytes).toBe(reference.bytes)
    expect(summary.error!.offset).toBeGreaterThan(0)
    expect(summary.error!.offset).toBeLessThanOrEqual(5000)
    const listed = await read(path, '--json')
    expect(listed.code).toBe(1)
    expect(JSON.parse(listed.stdout)).toHaveLength(reference.packets)
  })

  it('refuses garbage, an empty file, a missing file and a bad filter', async () => {
    const garbage = join(directory, 'garbage.pcap')
    await writeFile(garbage, 'this is not a capture file')
    expect(await read(garbage)).toMatchObject({ code: 1, stderr: expect.stringContaining('not a pcap or pcapng file') })
    const empty = join(directory, 'empty.pcapng')
    await writeFile(empty, '')
    expect(await read(empty, '--summary')).toMatchObject({ code: 1, stderr: expect.stringContaining('empty file') })
    expect((await read(join(directory, 'missing.pcap'))).code).toBe(1)
    expect(await read(join(fixtures, 'loopback.pcap'), '--filter', 'port:99999')).toMatchObject({ code: 2, stderr: expect.stringContaining('port must be 0–65535') })
    expect(await read()).toMatchObject({ code: 2 })
  })
})
