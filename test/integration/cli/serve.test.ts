/**
 * Threat: `sockscope serve` handing this machine's socket table and probes to the network. It
 * binds to loopback unless --host says otherwise, and then it warns. The non-loopback case uses
 * a documentation address (192.0.2.1) that no interface holds, so nothing is ever exposed: the
 * bind fails after the warning.
 */
import { execFile, spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { BUILT_CLI } from '../../support/built-cli'

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

  it('warns when web clients may aim at other machines, and documents the flag', async () => {
    const server = spawn(process.execPath, [BUILT_CLI, 'serve', '--port', '0', '--no-resolve', '--allow-remote-targets'], {
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stderr = ''
    server.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const line = await new Promise<string>((done) => server.stdout.once('data', (chunk: Buffer) => done(chunk.toString())))
    server.kill('SIGTERM')
    await new Promise((done) => server.once('exit', done))
    expect(line).toContain('sockscope web UI: http://127.0.0.1:')
    expect(stderr).toContain('warning: --allow-remote-targets: web clients can probe other machines')
    const help = await new Promise<string>((done) => execFile(process.execPath, [BUILT_CLI, 'serve', '--help'], (_error, stdout) => done(stdout)))
    expect(help).toContain('--allow-remote-targets')
    expect(help).toContain('127.0.0.0/8 and ::1 only')
  })

  it('refuses an empty --host as a usage error', async () => {
    const result = await serveUntilExit('--host', '')
    expect(result.code).toBe(2)
  })
})
