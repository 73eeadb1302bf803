/**
 * Threat: `sockscope serve` handing this machine's socket table and probes to the network. It
 * binds to loopback unless --host says otherwise, and then it warns. The non-loopback case uses
 * a documentation address (192.0.2.1) that no interface holds, so nothing is ever exposed: the
 * bind fails after the warning.
 */
import { execFile, spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { BUILT_CLI } from '../../support/built-cli'
import { startServedBackend as startServe } from '../../support/served-backend'

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
