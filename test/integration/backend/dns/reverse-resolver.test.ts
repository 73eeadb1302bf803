/**
 * The reverse resolver against the system's own resolver: the name it gives a loopback address
 * is the one `getent hosts` prints (getnameinfo and /etc/hosts, as `ss -r` uses them). Only
 * 127.0.0.1 is looked up, which /etc/hosts answers, so no query leaves the machine.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { ReverseResolver, systemNameLookup } from '../../../../electron/backend/dns/reverse-resolver'
import { waitFor } from '../../../support/wait-for'

const run = promisify(execFile)

/** The canonical name `getent hosts` prints for an address: the second column. */
async function getentName(address: string): Promise<string> {
  const { stdout } = await run('getent', ['hosts', address])
  const name = stdout.trim().split(/\s+/)[1]
  if (name === undefined) throw new Error(`getent hosts ${address} printed no name: ${stdout}`)
  return name
}

describe('ReverseResolver with the system resolver', () => {
  it('names 127.0.0.1 as getent hosts does', async () => {
    const expected = await getentName('127.0.0.1')
    expect(await systemNameLookup('127.0.0.1')).toBe(expected)
    const resolver = new ReverseResolver()
    resolver.request(['127.0.0.1'])
    await waitFor(() => resolver.pending() === 0)
    expect(resolver.takeResolved()).toEqual({ '127.0.0.1': expected })
  })
})
