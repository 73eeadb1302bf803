/**
 * Import limits for a client that has the token: a declared size over the documented maximum is
 * refused before anything is stored, and a client that sends more bytes than it declared is
 * stopped at that chunk. A refused import keeps nothing, and the capture shown before it is
 * shown again, whole. Files are written with the project's writer and checked with capinfos.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createBackend, type Backend } from '../../../../electron/backend/backend'
import { MAX_IMPORT_BYTES } from '../../../../shared/contract/capture'
import type { CaptureViewState } from '../../../../shared/model/capture-view'
import type { ImportProgress } from '../../../../shared/model/capture-transfer'
import type { Envelope } from '../../../../shared/contract/envelope'
import { writeManyFlowsCapture } from '../../../support/capture/many-flows-capture'
import { hasTool } from '../../../support/capture/wireshark-tools'

const run = promisify(execFile)

let backend: Backend
let directory: string
let dataDirectory: string

async function call<T>(channel: string, args: unknown): Promise<T> {
  const result = (await backend.handle(channel, args)) as Envelope<T>
  if (!result.ok) throw new Error(`${channel}: ${result.error.code}: ${result.error.message}`)
  return result.value
}

/** Sends `bytes` as an import declaring `size`, in chunks of `chunkBytes`; the answer of each chunk, or the failure that stopped it. */
async function sendImport(name: string, bytes: Buffer, size: number, chunkBytes: number) {
  const begun = await call<ImportProgress>('capture/import-begin', { fileName: name, size })
  const answers: Envelope<ImportProgress>[] = []
  for (let offset = 0; offset < bytes.length; offset += chunkBytes) {
    const answer = (await backend.handle('capture/import-chunk', {
      importId: begun.importId,
      offset,
      data: bytes.subarray(offset, offset + chunkBytes).toString('base64')
    })) as Envelope<ImportProgress>
    answers.push(answer)
    if (!answer.ok) break
  }
  return { importId: begun.importId, answers }
}

/** The packet bytes files the view keeps in the data folder. */
async function storedCaptures(): Promise<string[]> {
  return (await readdir(dataDirectory, { recursive: true })).filter((name) => name.endsWith('.bytes')).sort()
}

const viewState = () => call<CaptureViewState>('capture/view-state', {})

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'sockscope-capture-import-'))
  dataDirectory = join(directory, 'data')
  backend = createBackend({ autoStart: false, resolveNames: false, dataDirectory })
})

afterEach(async () => {
  await backend.dispose()
  await rm(directory, { recursive: true, force: true })
})

describe('capture import limits', () => {
  let shown: Buffer
  let other: Buffer

  beforeEach(async () => {
    await writeManyFlowsCapture(join(directory, 'shown.pcap'), 40)
    await writeManyFlowsCapture(join(directory, 'other.pcap'), 3000)
    shown = await readFile(join(directory, 'shown.pcap'))
    other = await readFile(join(directory, 'other.pcap'))
  })

  it.skipIf(!hasTool('capinfos'))('writes files capinfos reads whole', async () => {
    const { stdout } = await run('capinfos', ['-T', '-r', '-c', join(directory, 'other.pcap')])
    expect(stdout.trim().split('\t')[1]).toBe('3000')
  })

  it('takes a file of exactly the declared size, and the largest declared size there is', async () => {
    const { importId, answers } = await sendImport('other.pcap', other, other.length, 16 * 1024)
    expect(answers.every((answer) => answer.ok)).toBe(true)
    expect(await call<ImportProgress>('capture/import-end', { importId })).toMatchObject({ packets: 3000, bytesRead: other.length, error: null })
    expect((await viewState()).source).toMatchObject({ label: 'other.pcap', packets: 3000 })

    const largest = await backend.handle('capture/import-begin', { fileName: 'huge.pcap', size: MAX_IMPORT_BYTES })
    expect(largest).toMatchObject({ ok: true, value: { packets: 0, bytesRead: 0 } })
  })

  it('refuses a declared size over the maximum before storing anything', async () => {
    const { importId } = await sendImport('shown.pcap', shown, shown.length, shown.length)
    await call('capture/import-end', { importId })
    const before = await viewState()
    const files = await storedCaptures()

    const refused = await backend.handle('capture/import-begin', { fileName: 'huge.pcap', size: MAX_IMPORT_BYTES + 1 })
    expect(refused).toEqual({
      ok: false,
      error: { code: 'invalid-arguments', message: `huge.pcap is 2.0 GiB (${MAX_IMPORT_BYTES + 1} bytes); files of at most 2.0 GiB (${MAX_IMPORT_BYTES} bytes) can be opened` }
    })
    expect(await storedCaptures()).toEqual(files)
    expect(await viewState()).toEqual(before)
  })

  it('stops an import that sends one byte more than it declared, keeps nothing of it and shows the previous capture again', async () => {
    const first = await sendImport('shown.pcap', shown, shown.length, shown.length)
    await call('capture/import-end', { importId: first.importId })
    const before = await viewState()
    expect(before.source).toMatchObject({ label: 'shown.pcap', packets: 40 })
    const shownFiles = await storedCaptures()
    expect(shownFiles).toHaveLength(1)

    // The first chunks are read and shown; the one that goes one byte past the declared size is refused.
    const chunk = 16 * 1024
    const { importId, answers } = await sendImport('other.pcap', other, other.length - 1, chunk)
    expect(answers.slice(0, -1).every((answer) => answer.ok)).toBe(true)
    expect(answers.length).toBe(Math.ceil(other.length / chunk))
    expect(answers.at(-1)).toEqual({
      ok: false,
      error: {
        code: 'invalid-arguments',
        message: `the file sent more than the ${other.length - 1} bytes it declared (${other.length} so far); the import was stopped and nothing of it was kept`
      }
    })

    const after = await viewState()
    expect(after.source).toMatchObject({ id: before.source!.id, label: 'shown.pcap', packets: 40, state: 'imported' })
    expect(after.conversations).toBe(40)
    const page = await call<{ total: number; rows: unknown[] }>('capture/packet-page', { start: 0, count: 100 })
    expect(page.total).toBe(40)
    expect(page.rows).toHaveLength(40)
    expect(await storedCaptures()).toEqual(shownFiles)
    expect(await backend.handle('capture/import-chunk', { importId, offset: 0, data: '' })).toMatchObject({ ok: false, error: { code: 'not-found' } })
    expect(await backend.handle('capture/import-end', { importId })).toMatchObject({ ok: false, error: { code: 'not-found' } })
  })
})
