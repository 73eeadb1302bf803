import { mkdtemp, rm } from 'node:fs/promises'
import { createConnection } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cleanLabel, MAX_LABEL_LENGTH, MarkServer, sendMark } from '../../../../electron/backend/run/mark-channel'

let folder = ''
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'sockscope-mark-'))
})
afterEach(async () => {
  await rm(folder, { recursive: true, force: true })
})

/** Sends raw bytes and resolves with the first line back. */
function exchange(path: string, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let reply = ''
    const socket = createConnection(path, () => socket.write(bytes))
    socket.setEncoding('utf8')
    socket.on('data', (text: string) => (reply += text))
    socket.on('close', () => resolve(reply))
    socket.on('error', reject)
  })
}

describe('the mark channel', () => {
  it('answers ok once the handler has taken the mark, with the label cleaned and the server end named', async () => {
    const marks: [string, number | null][] = []
    const server = await MarkServer.listen(folder, async (label, inode) => void marks.push([label, inode]))
    try {
      expect(await sendMark(server.path, 'test: uploads', 5000)).toEqual({ ok: true })
      expect(await exchange(server.path, 'tab\there\u0007\n')).toBe('ok\n')
      expect(marks.map(([label]) => label)).toEqual(['test: uploads', 'tab here'])
      expect(marks.every(([, inode]) => typeof inode === 'number' && inode > 0)).toBe(true)
    } finally {
      await server.close()
    }
  })

  it('refuses a line over 1 KiB and tells the client why a mark was not taken', async () => {
    const server = await MarkServer.listen(folder, async (label) => {
      if (label === 'refuse me') throw new Error('more than 10000 marks; this one is ignored')
    })
    try {
      expect(await exchange(server.path, 'x'.repeat(1025) + '\n')).toBe('error: a mark is one line of at most 1024 bytes\n')
      expect(await exchange(server.path, 'x'.repeat(1024) + '\n')).toBe('ok\n')
      expect(await sendMark(server.path, 'refuse me', 5000)).toEqual({ ok: false, reason: 'more than 10000 marks; this one is ignored' })
    } finally {
      await server.close()
    }
  })

  it('gives up on a run that does not answer, and closes even while a client stays connected', async () => {
    const server = await MarkServer.listen(folder, () => new Promise(() => undefined))
    const result = await sendMark(server.path, 'stuck', 200)
    expect(result).toEqual({ ok: false, reason: 'no answer within 0.2 s' })
    const lingering = createConnection(server.path)
    lingering.on('error', () => undefined)
    await new Promise((resolve) => lingering.once('connect', resolve))
    const started = performance.now()
    await server.close()
    expect(performance.now() - started).toBeLessThan(2000)
  })

  it('keeps labels printable and at most 200 characters', () => {
    expect(cleanLabel('  a\r\nb  ')).toBe('a b')
    expect(cleanLabel('\u0000')).toBe('(no label)')
    expect([...cleanLabel('é'.repeat(500))]).toHaveLength(MAX_LABEL_LENGTH)
  })
})
