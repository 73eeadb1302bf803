/**
 * `sockscope list --columns` and the fields of `list --json`, from the build, on a listener this
 * test owns: both follow the socket field table, so a new field shows up in them by itself.
 */
import { createServer, type Server } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SOCKET_FIELDS } from '../../../shared/socket-field-table'
import { runBuiltCli } from '../../support/built-cli'
import { elementAt } from '../../../shared/element-at'

let server: Server
let port: number

beforeAll(async () => {
  server = createServer()
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()))
  port = (server.address() as { port: number }).port
})
afterAll(() => server.close())

describe('sockscope list --columns', () => {
  it('lists every field as a column in list --help and diff --help', async () => {
    for (const command of ['list', 'diff']) {
      const help = await runBuiltCli(command, '--help')
      expect(help.code).toBe(0)
      for (const field of SOCKET_FIELDS) expect(help.stdout, `${command}: ${field.key}`).toMatch(new RegExp(`^ +\\*? +${field.key} +${field.label}$`, 'm'))
    }
  })

  it('prints the columns asked for, in that order, with the values list --json has', async () => {
    const json = await runBuiltCli('list', '--json', '--no-resolve', '--filter', `lport:${port}`)
    expect(json.code, json.stderr).toBe(0)
    const [listed] = JSON.parse(json.stdout) as Array<Record<string, unknown>>
    for (const field of SOCKET_FIELDS) expect(listed, field.key).toHaveProperty(elementAt(field.key.split('.'), 0))

    const table = await runBuiltCli('list', '--no-resolve', '--filter', `lport:${port}`, '--columns', 'state,pid,inode,protocol,localPort')
    expect(table.code, table.stderr).toBe(0)
    const [header, row, ...rest] = table.stdout.trimEnd().split('\n')
    expect(header!.split(/\s{2,}/).map((title) => title.trim())).toEqual(['State', 'PID', 'Inode', 'Proto', 'Port'])
    expect(row!.trim().split(/\s+/)).toEqual(['LISTEN', String(process.pid), String(listed!.inode), 'tcp', String(port)])
    expect(rest).toEqual([])
  })

  it('refuses an unknown column with exit 2 and a suggestion', async () => {
    const bad = await runBuiltCli('list', '--columns', 'state,prcess')
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('unknown column "prcess"; did you mean "process"?')
    expect(bad.stdout).toBe('')
  })
})
