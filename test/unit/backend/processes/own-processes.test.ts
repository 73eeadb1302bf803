import { describe, expect, it } from 'vitest'
import { ownProcesses, runsScriptIn } from '../../../../electron/backend/processes/own-processes'
import type { ProcessStatus } from '../../../../electron/backend/platform/platform'
import { buildSocket } from '../../../support/socket-builder'

const status = (pid: number, parentPid: number): ProcessStatus => ({ pid, parentPid, sessionId: 1, startTime: 0, name: `p${pid}`, state: 'S' })

describe('runsScriptIn', () => {
  it('takes a script path after the interpreter that lies in the folder, and nothing else', () => {
    expect(runsScriptIn('/usr/bin/node /opt/sockscope/out/main/cli.js exporter --listen 127.0.0.1:0', '/opt/sockscope/out/main')).toBe(true)
    expect(runsScriptIn('node --max-old-space-size=512 /opt/sockscope/out/main/cli.js serve', '/opt/sockscope/out/main')).toBe(true)
    // A script in a folder below, a relative path, the interpreter itself, or no script at all.
    expect(runsScriptIn('node /opt/sockscope/out/main/chunks/x.js', '/opt/sockscope/out/main')).toBe(false)
    expect(runsScriptIn('node out/main/cli.js serve', '/opt/sockscope/out/main')).toBe(false)
    expect(runsScriptIn('/opt/sockscope/out/main/cli.js', '/opt/sockscope/out/main')).toBe(false)
    expect(runsScriptIn('node /opt/sockscope/out/main/notes.txt', '/opt/sockscope/out/main')).toBe(false)
  })
})

describe('ownProcesses', () => {
  const processes = [status(1, 0), status(100, 1), status(200, 100), status(201, 200), status(300, 1), status(400, 1)]
  const sockets = [
    buildSocket({ pid: 300, command: 'node /opt/sockscope/out/main/cli.js exporter' }),
    buildSocket({ pid: 300, command: 'node /opt/sockscope/out/main/cli.js exporter' }),
    buildSocket({ pid: 400, command: 'node /home/me/server.js' }),
    buildSocket({ pid: 200, command: 'node /opt/sockscope/out/main/capture-helper.js' })
  ]

  it('names this backend, what it started at any depth, and other sockscope processes holding sockets, each once', () => {
    const own = ownProcesses({ self: 100, processes, sockets, programFolder: '/opt/sockscope/out/main' })
    expect(own.map(({ pid, role }) => [pid, role])).toEqual([
      [100, 'this'],
      [200, 'started'],
      [201, 'started'],
      [300, 'instance']
    ])
    expect(own.every((process) => process.description.length > 0)).toBe(true)
  })

  it('finds no other instance when the folder of its own script is not known', () => {
    expect(ownProcesses({ self: 100, processes, sockets, programFolder: null }).map(({ pid }) => pid)).toEqual([100, 200, 201])
  })
})
