/**
 * A file with 200,000 conversations, the kind a port scan leaves: the shown capture keeps its
 * conversations in columns (a few hundred bytes each, packet included, not objects and maps of
 * them), answers the busiest without sorting them all, and `sockscope read --summary` streams
 * every conversation as JSON and a bounded table as text, in a process whose heap could not hold
 * the whole output or a million conversation objects.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtemp, open, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBackend } from '../../../../electron/backend/backend'
import { IMPORT_CHUNK_BYTES } from '../../../../shared/contract/capture'
import type { CaptureViewState, ConversationList } from '../../../../shared/model/capture-view'
import type { Envelope } from '../../../../shared/contract/envelope'
import { BUILT_CLI } from '../../../support/built-cli'
import { manyFlowsPacket, writeManyFlowsCapture } from '../../../support/capture/many-flows-capture'
import { hasTool } from '../../../support/capture/wireshark-tools'

const CONVERSATIONS = 200_000
/** A heap this small holds the summary's columns and one piece of output, never the whole output. */
const CLI_HEAP_MEGABYTES = 48

let directory: string
let path: string
/** A file of a thousand conversations, to warm the import up. */
let small: string

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'sockscope-many-conversations-'))
  path = join(directory, 'many.pcap')
  await writeManyFlowsCapture(path, CONVERSATIONS)
  small = join(directory, 'small.pcap')
  await writeManyFlowsCapture(small, 1000)
}, 120_000)

afterAll(async () => {
  await rm(directory, { recursive: true, force: true })
})

/** The conversations' bytes, busiest first (ties: seen first), as the writer made them. */
function busiestBytes(count: number): number[] {
  const sizes = Array.from({ length: CONVERSATIONS }, (_, index) => ({ index, bytes: manyFlowsPacket(index).originalLength }))
  sizes.sort((first, second) => second.bytes - first.bytes || first.index - second.index)
  return sizes.slice(0, count).map((size) => size.bytes)
}

/** Runs the built CLI with a small heap and collects its output without a buffer limit. */
function readWithSmallHeap(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${CLI_HEAP_MEGABYTES}`, BUILT_CLI, 'read', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (text: string) => (stderr += text))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr }))
  })
}

/** The JavaScript heap (objects, strings, maps) and the memory of typed arrays, after a full garbage collection. */
function liveMemory(): { readonly heap: number; readonly typedArrays: number } {
  setFlagsFromString('--expose-gc')
  const collect = runInNewContext('gc') as () => void
  collect()
  collect()
  const usage = process.memoryUsage()
  return { heap: usage.heapUsed, typedArrays: usage.arrayBuffers }
}

/** Sends a file through the import channels in chunks, as the renderer does. */
async function importFile(call: <T>(channel: string, args: unknown) => Promise<T>, file: string): Promise<unknown> {
  const size = (await stat(file)).size
  const begun = await call<{ importId: string }>('capture/import-begin', { fileName: basename(file), size })
  const handle = await open(file, 'r')
  const chunk = Buffer.alloc(IMPORT_CHUNK_BYTES)
  for (let offset = 0; offset < size;) {
    const { bytesRead } = await handle.read(chunk, 0, IMPORT_CHUNK_BYTES, offset)
    await call('capture/import-chunk', { importId: begun.importId, offset, data: chunk.subarray(0, bytesRead).toString('base64') })
    offset += bytesRead
  }
  await handle.close()
  return call('capture/import-end', { importId: begun.importId })
}

describe('a capture with 200,000 conversations', () => {
  it.skipIf(!hasTool('capinfos'))('is a pcap capinfos reads to its end', () => {
    const [, packets, bytes] = spawnSync('capinfos', ['-T', '-r', '-c', '-d', path], { encoding: 'utf8' }).stdout.trim().split('\t')
    expect(Number(packets)).toBe(CONVERSATIONS)
    expect(Number(bytes)).toBe(Array.from({ length: CONVERSATIONS }, (_, index) => manyFlowsPacket(index).originalLength).reduce((sum, length) => sum + length, 0))
  })

  it('is held in compact columns by the shown capture, which answers the busiest', async () => {
    const backend = createBackend({ autoStart: false, resolveNames: false, dataDirectory: join(directory, 'data') })
    const call = async <T>(channel: string, args: unknown): Promise<T> => {
      const result = (await backend.handle(channel, args)) as Envelope<T>
      if (!result.ok) throw new Error(`${channel}: ${result.error.message}`)
      return result.value
    }
    try {
      // A small import first, so the code the import runs is loaded and compiled before the baseline.
      await importFile(call, small)
      const before = liveMemory()
      expect(await importFile(call, path)).toMatchObject({ packets: CONVERSATIONS, error: null })
      const after = liveMemory()
      expect((await call<CaptureViewState>('capture/view-state', {})).conversations).toBe(CONVERSATIONS)

      // Conversations, their owners and their packets live in typed-array columns: the heap hardly
      // grows (objects, key strings and maps of them took over a kilobyte a conversation). The
      // columns take about 200 bytes a conversation with its packet, plus the store's write
      // blocks of packet bytes not yet on disk (at most the file's 12 MB).
      expect((after.heap - before.heap) / CONVERSATIONS).toBeLessThan(40)
      expect((after.typedArrays - before.typedArrays) / CONVERSATIONS).toBeLessThan(400)

      const list = await call<ConversationList>('capture/conversations', { limit: 100 })
      expect(list.total).toBe(CONVERSATIONS)
      expect(list.conversations.map((row) => row.bytesAToB + row.bytesBToA)).toEqual(busiestBytes(100))
      expect(list.conversations[0]).toMatchObject({ transport: 'udp', endpointB: '10.255.0.1:53', packetsAToB: 1, packetsBToA: 0 })
    } finally {
      await backend.dispose()
    }
  }, 120_000)

  it('read --summary --json streams every conversation as one JSON document', async () => {
    const result = await readWithSmallHeap(path, '--summary', '--json')
    expect(result.code, result.stderr).toBe(0)
    const summary = JSON.parse(result.stdout) as { packets: number; conversations: { addressA: string; portA: number; bytesAToB: number }[]; error: null }
    expect(summary.packets).toBe(CONVERSATIONS)
    expect(summary.error).toBeNull()
    expect(summary.conversations).toHaveLength(CONVERSATIONS)
    // In the order first seen, each one its own: no conversation lost or merged.
    const ends = new Set(summary.conversations.map((conversation) => `${conversation.addressA}:${conversation.portA}`))
    expect(ends.size).toBe(CONVERSATIONS)
    expect(summary.conversations[CONVERSATIONS - 1]).toMatchObject({
      addressA: '10.0.0.4',
      portA: 1024 + ((CONVERSATIONS - 1) % 50_000),
      bytesAToB: manyFlowsPacket(CONVERSATIONS - 1).originalLength
    })
  }, 120_000)

  it('read --summary prints a bounded table of the busiest conversations and says how many more there are', async () => {
    const result = await readWithSmallHeap(path, '--summary')
    expect(result.code, result.stderr).toBe(0)
    const lines = result.stdout.trimEnd().split('\n')
    const title = lines.findIndex((line) => line.startsWith('Conversations ('))
    expect(lines[title]).toBe(`Conversations (${CONVERSATIONS}; the 50 with the most bytes, busiest first):`)
    const rows = lines.slice(title + 2, -1)
    expect(rows).toHaveLength(50)
    expect(rows.map((row) => Number(row.trim().split(/\s+/)[4]))).toEqual(busiestBytes(50))
    expect(lines.at(-1)).toBe(`… and ${CONVERSATIONS - 50} more conversations (--json lists every one)`)
    expect(result.stdout.length).toBeLessThan(20_000)
  }, 120_000)
})
