/**
 * Threat: `sockscope serve` handing this machine's socket table and probes to the network. It
 * binds to loopback unless --host says otherwise, and then it warns. The non-loopback case uses
 * a documentation address (192.0.2.1) that no interface holds, so nothing is ever exposed: the
 * bind fails after the warning.
 */
import { execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import type { Envelope } from '../../../shared/contract/envelope'
import { BUILT_CLI } from '../../support/built-cli'

/** A running `serve`, with one WebSocket client that holds its token. */
interface ServedBackend {
  call(channel: string, args: unknown): Promise<Envelope<unknown>>
  stderr(): string
  close(): Promise<void>
}

/** Starts `serve` from the build and connects to its API as the page would. */
async function startServe(...args: string[]): Promise<ServedBackend> {
  const server = spawn(process.execPath, [BUILT_CLI, 'serve', '--port', '0', '--no-resolve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  server.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const line = await new Promise<string>((done) => server.stdout.once('data', (chunk: Buffer) => done(chunk.toString())))
  const url = new URL(/http:\/\/\S+/.exec(line)?.[0] ?? 'http://invalid')
  const socket = new WebSocket(`ws://${url.host}/api?token=${url.searchParams.get('token')}`, { headers: { origin: url.origin } })
  await once(socket, 'open')
  let nextId = 1
  const waiting = new Map<number, (result: Envelope<unknown>) => void>()
  socket.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString()) as { id?: number; result?: Envelope<unknown> }
    if (message.id !== undefined && message.result !== undefined) waiting.get(message.id)?.(message.result)
  })
  return {
    call(channel, callArgs) {
      const id = nextId++
      return new Promise((resolve) => {
        waiting.set(id, resolve)
        socket.send(JSON.stringify({ id, channel, args: callArgs }))
      })
    },
    stderr: () => stderr,
    async close() {
      socket.close()
      server.kill('SIGTERM')
      await once(server, 'exit')
    }
  }
}

/** Runs `serve` until it exits, reporting its code and stderr. */
function serveUntilExit(...args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [BUILT_CLI, 'serve', '--port', '0', ...args], { timeout: 10_000 }, (error, _stdout, stderr) => {
      done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stderr })
    })
  })
}

describe('sockscope serve', () => {
  it('listens on 127.0.0.1 by default and prints the tokened URL', async () => {
    const server = spawn(process.execPath, [BUILT_CLI, 'serve', '--port', '0', '--no-resolve'], { stdio: ['ignore', 'pipe', 'pipe'] })
    const line = await new Promise<string>((done) => server.stdout.once('data', (chunk: Buffer) => done(chunk.toString())))
    server.kill('SIGTERM')
    expect(line).toMatch(/^sockscope web UI: http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}\n$/)
  })

  it('warns before binding a non-loopback --host, and says why it could not', async () => {
    const result = await serveUntilExit('--host', '192.0.2.1')
    expect(result.stderr).toContain('warning: binding to 192.0.2.1, which is not loopback')
    expect(result.stderr).toContain('cannot listen on 192.0.2.1')
    expect(result.code).toBe(1)
  })

  it('keeps web clients on loopback without --allow-remote-targets, whatever the client sends', async () => {
    const served = await startServe()
    try {
      expect(await served.call('probe/policy', {})).toEqual({
        ok: true,
        value: { remoteTargets: 'deny', howToAllow: 'To allow other machines, start "sockscope serve" with --allow-remote-targets.' }
      })
      // A documentation address: refused before any packet is sent.
      const held = await served.call('holder/open', { host: '192.0.2.1', port: 80, count: 1, allowNonLoopback: true })
      expect(held).toMatchObject({ ok: false, error: { code: 'permission-denied' } })
      expect(JSON.stringify(held)).toContain('--allow-remote-targets')
      expect(served.stderr()).not.toContain('--allow-remote-targets')
    } finally {
      await served.close()
    }
  })

  it('with --allow-remote-targets, tells clients so and warns whoever started it', async () => {
    const served = await startServe('--allow-remote-targets')
    try {
      expect(await served.call('probe/policy', {})).toEqual({ ok: true, value: { remoteTargets: 'allow', howToAllow: null } })
      expect(served.stderr()).toContain('warning: --allow-remote-targets: web clients can probe other machines')
    } finally {
      await served.close()
    }
    const help = await new Promise<string>((done) => execFile(process.execPath, [BUILT_CLI, 'serve', '--help'], (_error, stdout) => done(stdout)))
    expect(help).toContain('--allow-remote-targets')
    expect(help).toContain('127.0.0.0/8 and ::1 only')
  })

  it('refuses an empty --host as a usage error', async () => {
    const result = await serveUntilExit('--host', '')
    expect(result.code).toBe(2)
  })
})
