/*
 * The fixtures in test/fixtures/ss are real `ss` output (iproute2 6.1) saved on a Debian 12 host
 * together with test/fixtures/proc-net; see test/unit/backend/platform/linux/proc-net-parser.test.ts
 * for how the sockets in them were made.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { kernelStateName, parseSsOutput } from '../../support/ss-output'

function saved(name: string): string {
  return readFileSync(join(__dirname, '../../fixtures/ss', name), 'utf8')
}

describe('parseSsOutput', () => {
  it('reads TCP rows with process, timer and inode columns', () => {
    const rows = parseSsOutput(saved('tcp.txt'))
    expect(rows).toHaveLength(45)
    const finWait = rows.find((row) => row.state === 'FIN-WAIT-1')
    expect(finWait).toMatchObject({
      netid: null,
      recvQueue: 0,
      sendQueue: 4097,
      localAddress: '127.0.0.1',
      localPort: '52642',
      peerAddress: '127.0.0.1',
      peerPort: '35037',
      users: [{ process: 'perl', pid: 10333, fd: 4 }],
      timer: 'persist,100ms,0',
      inode: 18991
    })
  })

  it('strips brackets from IPv6 addresses and keeps * for wildcards', () => {
    const rows = parseSsOutput(saved('tcp.txt'))
    expect(rows.find((row) => row.localPort === '41473' && row.state === 'LISTEN')).toMatchObject({
      localAddress: '::1',
      peerAddress: '::',
      peerPort: '*'
    })
    expect(rows.find((row) => row.localPort === '43587' && row.state === 'LISTEN')).toMatchObject({ localAddress: '*', peerAddress: '*' })
    expect(rows.find((row) => row.localPort === '43587' && row.peerPort === '37074')).toMatchObject({
      localAddress: '::ffff:127.0.0.1',
      peerAddress: '::ffff:127.0.0.1'
    })
  })

  it('reads rows without an owner', () => {
    const timeWait = parseSsOutput(saved('tcp.txt')).filter((row) => row.state === 'TIME-WAIT')
    expect(timeWait).toHaveLength(2)
    for (const row of timeWait) expect(row).toMatchObject({ users: [], inode: 0 })
  })

  it('reads UDP and raw rows', () => {
    expect(parseSsOutput(saved('udp.txt'))[0]).toMatchObject({ state: 'UNCONN', recvQueue: 2496, localPort: '37338', inode: 18999 })
    expect(parseSsOutput(saved('raw.txt')).map((row) => row.localPort)).toEqual(['254', '253', '58'])
  })

  it('reads UNIX rows: netid, path, inode as the local port and several owners', () => {
    const rows = parseSsOutput(saved('unix.txt'))
    expect(rows.find((row) => row.inode === 19008)).toMatchObject({
      netid: 'u_seq',
      state: 'LISTEN',
      recvQueue: 1,
      localAddress: '/tmp/sockscope-fixtures/seq.sock',
      peerPort: '0'
    })
    expect(rows.find((row) => row.inode === 17700)?.users).toEqual([
      { process: 'ss', pid: 10355, fd: 2 },
      { process: 'sh', pid: 10354, fd: 2 }
    ])
  })

  it('reads quoted process names holding spaces and parentheses', () => {
    const [row] = parseSsOutput('tcp ESTAB 0 0 127.0.0.1:1 127.0.0.1:2 users:(("Web (x) y",pid=7,fd=3)) ino:9 uid:1000\n')
    expect(row).toMatchObject({ netid: 'tcp', users: [{ process: 'Web (x) y', pid: 7, fd: 3 }], inode: 9, uid: 1000 })
  })

  it('rejects lines it cannot read', () => {
    expect(() => parseSsOutput('ESTAB 0 0\n')).toThrow(/too few columns/)
    expect(() => parseSsOutput('ESTAB 0 0 nowhere 127.0.0.1:2\n')).toThrow(/without a port/)
  })
})

describe('kernelStateName', () => {
  it('maps ss names to kernel names', () => {
    expect(['ESTAB', 'FIN-WAIT-1', 'SYN-RECV', 'UNCONN'].map(kernelStateName)).toEqual(['ESTABLISHED', 'FIN_WAIT1', 'SYN_RECV', 'UNCONN'])
    expect(() => kernelStateName('BOGUS')).toThrow(/unknown ss state/)
  })
})
