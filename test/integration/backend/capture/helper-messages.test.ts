/**
 * A capture helper that answers with a body of the wrong shape (a different build, a broken
 * runtime) makes the backend refuse the capture with a sentence that names the message and the
 * field; nothing downstream ever sees the malformed value.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CaptureError, listCaptureInterfaces, startCaptureHelper } from '../../../../electron/backend/capture/capture-helper-process'
import { MESSAGE_TYPE_CODES } from '../../../../shared/capture-messages'

let directory: string
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'sockscope-helper-messages-'))
})
afterEach(async () => {
  await rm(directory, { recursive: true, force: true })
})

/** A helper script that answers any request with one JSON frame of `type` holding `body`, then waits. */
async function helperAnswering(type: keyof typeof MESSAGE_TYPE_CODES, body: unknown): Promise<string> {
  const path = join(directory, 'helper.js')
  const payload = JSON.stringify(body)
  await writeFile(
    path,
    `const body = Buffer.from(${JSON.stringify(payload)});
const header = Buffer.from([${MESSAGE_TYPE_CODES[type]}, body.length >> 16, (body.length >> 8) & 255, body.length & 255]);
process.stdin.once('data', () => process.stdout.write(Buffer.concat([header, body])));
process.stdin.resume()
`
  )
  return path
}

const request = { interface: 'lo', filter: '', snaplen: 65535, promiscuous: false, bufferSize: 1024 * 1024, limits: { maxPackets: null, maxBytes: null, maxDurationMs: null } }

describe('a helper message of the wrong shape', () => {
  it('fails the capture start, naming the message and the field', async () => {
    const helperPath = await helperAnswering('started', {
      interface: 'lo',
      linkType: 'ETHERNET',
      linkTypeName: 'ETHERNET',
      snaplen: 65535,
      promiscuous: true,
      startedAt: 1,
      timestampDecimals: 9,
      notes: []
    })
    const failure = await startCaptureHelper(request, { helperPath, requestTimeoutMs: 5000 }).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(CaptureError)
    expect((failure as CaptureError).code).toBe('helper-failed')
    expect((failure as CaptureError).message).toBe('the capture helper sent a corrupt message: corrupt started message: linkType should be number, not "ETHERNET"')
  })

  it('fails the interface list instead of showing a half-read device', async () => {
    const helperPath = await helperAnswering('interfaces', { interfaces: [{ name: 'lo' }] })
    const failure = await listCaptureInterfaces({ helperPath, requestTimeoutMs: 5000 }).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(CaptureError)
    expect((failure as CaptureError).message).toBe('the capture helper sent a corrupt message: corrupt interfaces message: interfaces.0.description is missing')
  })
})
