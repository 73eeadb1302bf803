/**
 * The capture helper is the privileged process: a request it cannot read must get a clear answer
 * and a clean exit, never a crash half-way through opening an interface. The real helper runs
 * from its sources under plain Node, as the backend starts it in development.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { HelperMessageReader, MESSAGE_TYPE_CODES, type HelperMessage } from '../../../shared/capture-messages'
import { encodeFrame } from '../../../shared/capture-protocol'

const root = resolve(__dirname, '../../..')

/** Runs the helper, writes `input` to its stdin and collects what it answers and how it exits. */
async function askHelper(input: Uint8Array): Promise<{ messages: HelperMessage[]; exitCode: number | null; stderr: string }> {
  const helper = spawn(process.execPath, ['--import', 'tsx', 'electron/capture-helper/index.ts'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] })
  const reader = new HelperMessageReader()
  const messages: HelperMessage[] = []
  let stderr = ''
  helper.stdout.on('data', (chunk: Buffer) => messages.push(...reader.push(chunk)))
  helper.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  helper.stdin.end(input)
  const [exitCode] = (await once(helper, 'exit')) as [number | null]
  reader.finish()
  return { messages, exitCode, stderr }
}

function jsonFrame(type: keyof typeof MESSAGE_TYPE_CODES, body: unknown): Uint8Array {
  return encodeFrame(MESSAGE_TYPE_CODES[type], new TextEncoder().encode(JSON.stringify(body)))
}

describe('the capture helper given a request it cannot read', () => {
  it('answers a start request of the wrong shape with an error naming the field, and exits 1', async () => {
    const request = { interface: 'lo', filter: '', snaplen: 'big', promiscuous: true, bufferSize: 0, limits: { maxPackets: 1, maxBytes: null, maxDurationMs: null } }
    const answer = await askHelper(jsonFrame('start', { request }))
    expect(answer.messages).toEqual([{ type: 'error', code: 'other', message: 'bad request: corrupt start message: request.snaplen should be number, not "big"' }])
    expect(answer.exitCode).toBe(1)
    expect(answer.stderr).toBe('')
  }, 20_000)

  it('answers bytes that are not a frame it knows with an error, and exits 1', async () => {
    const answer = await askHelper(new Uint8Array([0x99, 0, 0, 0]))
    expect(answer.messages).toEqual([{ type: 'error', code: 'other', message: 'bad request: corrupt frame at byte 0: unknown message type 0x99' }])
    expect(answer.exitCode).toBe(1)
  }, 20_000)

  it('still serves a well-formed request', async () => {
    const answer = await askHelper(jsonFrame('list-interfaces', { request: { probeLinkTypes: false } }))
    expect(answer.exitCode).toBe(0)
    expect(answer.messages).toHaveLength(1)
    const [message] = answer.messages
    expect(message?.type).toBe('interfaces')
    if (message?.type === 'interfaces') expect(message.interfaces.map((device) => device.name)).toContain('lo')
  }, 20_000)
})
