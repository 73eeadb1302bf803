/**
 * "Capture this process" on a busy process: 2,500 loopback clients and the 2,500 connections its
 * listener accepted, all in one process, on the real socket table. The old filter named every
 * port, thousands of terms; the compact one stays within its cap, compiles in libpcap (tcpdump -d
 * and the capture helper's own check) and still lets every port of the process through.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { captureFilterForProcess, MAX_PROCESS_FILTER_TERMS, type ProcessCaptureFilter } from '../../../../shared/capture-filter'
import type { SocketEntry } from '../../../../shared/model/socket'
import { createSocketProvider } from '../../../../electron/backend/platform/create-platform'
import { createBackend, type Backend } from '../../../../electron/backend/backend'
import { startProgram, stopPrograms, type RunningProgram } from '../../../support/test-programs'

const run = promisify(execFile)
const CLIENTS = 2500

/** The ports a `port N` or `portrange A-B` term of the filter lets through, per protocol. */
function portsLetThrough(filter: string): { tcp: (port: number) => boolean; udp: (port: number) => boolean } {
  const ranges = [...filter.matchAll(/(tcp|udp) (?:port (\d+)|portrange (\d+)-(\d+))/g)].map((match) => ({
    protocol: match[1],
    first: Number(match[2] ?? match[3]),
    last: Number(match[2] ?? match[4])
  }))
  const passes = (protocol: string) => (port: number) => ranges.some((range) => range.protocol === protocol && port >= range.first && port <= range.last)
  return { tcp: passes('tcp'), udp: passes('udp') }
}

describe('the capture filter for a process holding thousands of loopback sockets', () => {
  let server: RunningProgram
  let sockets: SocketEntry[]
  let compact: ProcessCaptureFilter
  let backend: Backend

  beforeAll(async () => {
    server = await startProgram('steady-server.js', [String(CLIENTS), '0'], { fileLimit: 20_000 })
    const { sockets: table } = await createSocketProvider().read({ withProcesses: true })
    sockets = table.filter((socket) => socket.pid === server.pid)
    const result = captureFilterForProcess(table, server.pid)
    if (result === null) throw new Error('no filter for the server')
    compact = result
    backend = createBackend({ autoStart: false, resolveNames: false })
  }, 120_000)

  afterAll(async () => {
    await backend?.dispose()
    await stopPrograms()
  })

  it('stays within the term cap where naming every port would take thousands', () => {
    expect(sockets.length).toBeGreaterThanOrEqual(2 * CLIENTS)
    const clientPorts = new Set(sockets.filter((socket) => socket.remotePort === server.ready.port).map((socket) => socket.localPort))
    expect(clientPorts.size).toBe(CLIENTS)
    const terms = compact.filter.split(' or ')
    expect(terms.length).toBeLessThanOrEqual(MAX_PROCESS_FILTER_TERMS)
    expect(compact.widened).toBe(true)
  })

  it('lets every port of the process through: its listener and each client end', () => {
    const passes = portsLetThrough(compact.filter)
    for (const socket of sockets) {
      if (socket.protocol === 'tcp' && socket.localPort !== null) expect(passes.tcp(socket.localPort), `port ${socket.localPort}`).toBe(true)
    }
  })

  it('compiles in libpcap: tcpdump -d on lo and the capture helper check', async () => {
    const { stdout } = await run('tcpdump', ['-d', '-i', 'lo', compact.filter], { maxBuffer: 16 * 1024 * 1024 })
    const instructions = stdout.trim().split('\n').length
    // The kernel takes at most 4096 classic BPF instructions.
    expect(instructions).toBeLessThan(4096)
    expect(await backend.handle('capture/check-filter', { interface: 'lo', filter: compact.filter })).toEqual({ ok: true, value: { ok: true, linkType: 1 } })
  }, 60_000)
})
