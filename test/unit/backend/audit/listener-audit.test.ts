/** The pure audit of a socket table: reach, holder, service, publishing, reasons and the warnings they lead to. */
import { describe, expect, it } from 'vitest'
import type { SocketEntry } from '../../../../shared/model/socket'
import { AUDIT_FAIL_RULES, breaksRule, listenerKey, type AuditListener } from '../../../../shared/model/audit'
import { auditListeners, reachOf, reasonFor, type TlsCheck } from '../../../../electron/backend/audit/listener-audit'
import { recognizeService } from '../../../../electron/backend/audit/well-known-services'
import { buildSocket } from '../../../support/socket-builder'
import { elementAt } from '../../../../shared/element-at'

const HOME = 4026531840
const CONTAINER = 4026532999

const listener = (overrides: Partial<SocketEntry>): SocketEntry => buildSocket({ netns: HOME, ...overrides })
const audit = (sockets: SocketEntry[], extra: { reasons?: Parameters<typeof auditListeners>[1]['reasons']; tls?: Map<string, TlsCheck> } = {}) =>
  auditListeners(sockets, { homeNetns: HOME, reasons: extra.reasons ?? [], tls: extra.tls })
const only = (listeners: AuditListener[]): AuditListener => {
  expect(listeners).toHaveLength(1)
  return elementAt(listeners, 0)
}

describe('reach', () => {
  it('tells loopback, one interface and every interface apart', () => {
    expect(['127.0.0.1', '127.0.0.53', '::1', '::ffff:127.0.0.1'].map(reachOf)).toEqual(['loopback', 'loopback', 'loopback', 'loopback'])
    expect(['0.0.0.0', '::', '*'].map(reachOf)).toEqual(['all', 'all', 'all'])
    expect(['192.168.1.20', '10.0.0.1', 'fe80::1%eth0', '::ffff:10.0.0.1', '128.0.0.1'].map(reachOf)).toEqual(['interface', 'interface', 'interface', 'interface', 'interface'])
  })
})

describe('which sockets are listeners', () => {
  it('takes TCP LISTEN and unconnected bound UDP sockets, and nothing else', () => {
    const listeners = audit([
      listener({ localPort: 80, inode: 1 }),
      listener({ protocol: 'udp', state: 'UNCONN', localAddress: '0.0.0.0', localPort: 53, inode: 2 }),
      listener({ state: 'ESTABLISHED', localPort: 80, remotePort: 50000, inode: 3 }),
      listener({ protocol: 'udp', state: 'ESTABLISHED', localPort: 40000, inode: 4 }),
      listener({ protocol: 'unix', family: null, state: 'LISTEN', localAddress: '/run/x.sock', localPort: null, inode: 5 }),
      listener({ protocol: 'udp', state: 'UNCONN', localPort: 0, inode: 6 })
    ])
    expect(listeners.map((entry) => `${entry.protocol} ${entry.localPort}`).sort()).toEqual(['tcp 80', 'udp 53'])
  })
})

describe('holder and service', () => {
  it('names the holder: pid, process and the process user', () => {
    const entry = only(audit([listener({ localPort: 3000, pid: 77, process: 'vite', user: 'root', owners: [{ pid: 77, process: 'vite', command: 'vite', user: 'alice' }] })]))
    expect(entry).toMatchObject({ pid: 77, process: 'vite', user: 'alice', netns: HOME, otherNamespace: false, service: null, sensitive: false, tls: null, tlsVerdict: null })
  })

  it('knows sensitive services by port', () => {
    const named = [22, 3389, 5432, 3306, 6379, 27017, 9200, 2375, 9229].map((port) => recognizeService('tcp', port, 'x', 'x')?.name)
    expect(named).toEqual(['SSH', 'RDP', 'PostgreSQL', 'MySQL', 'Redis', 'MongoDB', 'Elasticsearch', 'Docker API (no TLS)', 'Node.js inspector'])
    expect([22, 3389, 5432, 3306, 6379, 27017, 9200, 2375, 9229].every((port) => recognizeService('tcp', port, null, null)?.sensitive)).toBe(true)
    expect(recognizeService('tcp', 443, null, null)).toMatchObject({ name: 'HTTPS', sensitive: false })
    expect(recognizeService('tcp', 3000, null, null)).toBeNull()
    // UDP 22 is no SSH.
    expect(recognizeService('udp', 22, null, null)).toBeNull()
  })

  it('knows debuggers and servers by their process, on whatever port they chose', () => {
    expect(recognizeService('tcp', 9230, 'node', 'node --inspect=0.0.0.0:9230 app.js')?.name).toBe('Node.js inspector')
    expect(recognizeService('tcp', 9229, 'node', 'node --inspect-brk app.js')?.name).toBe('Node.js inspector')
    // The app's own port of an inspected node is not the inspector.
    expect(recognizeService('tcp', 3000, 'node', 'node --inspect app.js')).toBeNull()
    expect(recognizeService('tcp', 8000, 'java', 'java -agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=*:8000 -jar app.jar')?.name).toBe('Java debugger (JDWP)')
    expect(recognizeService('tcp', 8001, 'java', 'java -agentlib:jdwp=transport=dt_socket,server=y,address=*:8000 -jar app.jar')).toBeNull()
    expect(recognizeService('tcp', 12345, 'dockerd', 'dockerd -H tcp://0.0.0.0:12345')?.name).toBe('Docker API (no TLS)')
    expect(recognizeService('tcp', 5433, 'postgres', 'postgres -p 5433')).toMatchObject({ name: 'PostgreSQL', sensitive: true })
    expect(recognizeService('tcp', 2222, 'sshd', 'sshd: /usr/sbin/sshd -p 2222')?.name).toBe('SSH')
  })
})

describe('warnings', () => {
  it('says nothing about a loopback listener, even a sensitive one', () => {
    const entry = only(audit([listener({ localPort: 5432, process: 'postgres' })]))
    expect(entry).toMatchObject({ service: 'PostgreSQL', sensitive: true, reach: 'loopback', warnings: [] })
    for (const rule of AUDIT_FAIL_RULES) expect(breaksRule(entry, rule), rule).toBe(false)
  })

  it('warns about a sensitive service on every interface, saying what it is and what to do', () => {
    const entry = only(audit([listener({ localAddress: '0.0.0.0', localPort: 6379, pid: 9, process: 'redis-server' })]))
    expect(entry.warnings).toEqual([
      'Redis on tcp 0.0.0.0:6379 (redis-server pid 9) is reachable from every network interface; it is a database: its data and its authentication face every network it is reachable from; Redis often runs without a password. Bind it to 127.0.0.1 (or ::1) unless other machines must use it, and give a reason if they must.'
    ])
    expect(breaksRule(entry, 'exposed-sensitive')).toBe(true)
    expect(breaksRule(entry, 'exposed-unexplained')).toBe(true)
  })

  it('warns about an ordinary listener on one interface with no reason given', () => {
    const entry = only(audit([listener({ localAddress: '192.168.1.20', localPort: 3000, pid: 5, process: 'vite' })]))
    expect(entry.reach).toBe('interface')
    expect(entry.warnings).toEqual([
      'tcp 192.168.1.20:3000 (vite pid 5) is reachable from the network of 192.168.1.20 and no reason is given. Bind it to 127.0.0.1 if only this machine uses it, or give a reason.'
    ])
    expect(breaksRule(entry, 'exposed-sensitive')).toBe(false)
    expect(breaksRule(entry, 'exposed-unexplained')).toBe(true)
  })

  it('a reason for the port, or for the port and its process, silences the warning and passes the rules', () => {
    const sockets = [listener({ localAddress: '0.0.0.0', localPort: 22, pid: 1, process: 'sshd' })]
    for (const reasons of [
      [{ protocol: 'tcp' as const, port: 22, process: null, reason: 'admin access' }],
      [{ protocol: 'tcp' as const, port: 22, process: 'sshd', reason: 'admin access' }]
    ]) {
      const entry = only(audit(sockets, { reasons }))
      expect(entry).toMatchObject({ reason: 'admin access', warnings: [] })
      expect(breaksRule(entry, 'exposed-sensitive')).toBe(false)
      expect(breaksRule(entry, 'exposed-unexplained')).toBe(false)
    }
    // A reason for another process, protocol or port does not count.
    for (const reasons of [
      [{ protocol: 'tcp' as const, port: 22, process: 'dropbear', reason: 'x' }],
      [{ protocol: 'udp' as const, port: 22, process: null, reason: 'x' }],
      [{ protocol: 'tcp' as const, port: 2222, process: null, reason: 'x' }]
    ]) {
      expect(only(audit(sockets, { reasons })).reason).toBeNull()
    }
  })

  it('prefers the reason naming the process over the one for the port alone', () => {
    const reasons = [
      { protocol: 'tcp' as const, port: 80, process: null, reason: 'any web server' },
      { protocol: 'tcp' as const, port: 80, process: 'nginx', reason: 'the public site' }
    ]
    expect(reasonFor(reasons, 'tcp', 80, 'nginx')).toBe('the public site')
    expect(reasonFor(reasons, 'tcp', 80, 'caddy')).toBe('any web server')
  })

  it('adds what the TLS check found: cleartext on an exposed port, a certificate about to expire', () => {
    const sockets = [listener({ localAddress: '0.0.0.0', localPort: 8080, inode: 1 }), listener({ localAddress: '127.0.0.1', localPort: 8443, inode: 2 })]
    const key = (address: string, port: number) => listenerKey({ protocol: 'tcp', netns: HOME, localAddress: address, localPort: port })
    const tls = new Map<string, TlsCheck>([
      [key('0.0.0.0', 8080), { tls: { speaksTls: false, version: null, subject: null, daysLeft: null }, verdict: 'cleartext', note: 'Cleartext.' }],
      [key('127.0.0.1', 8443), { tls: { speaksTls: true, version: 'TLSv1.3', subject: 'CN=localhost', daysLeft: 13 }, verdict: 'tls', note: 'Speaks TLSv1.3.' }]
    ])
    const [exposed, local] = audit(sockets, { tls })
    expect(exposed?.warnings).toContain(
      'It answers in cleartext: whatever crosses the network to it can be read on the way. Put TLS in front of it if it carries anything private.'
    )
    expect(exposed && breaksRule(exposed, 'exposed-cleartext')).toBe(true)
    expect(local?.warnings).toEqual(['Its certificate expires in 13 days; renew it.'])
    expect(local && breaksRule(local, 'expiring-certificate')).toBe(true)
    // 14 days left is not expiring yet.
    const fine = new Map([[key('127.0.0.1', 8443), { tls: { speaksTls: true, version: 'TLSv1.3', subject: 'CN=localhost', daysLeft: 14 }, verdict: 'tls' as const, note: '' }]])
    const [, later] = audit(sockets, { tls: fine })
    expect(later?.warnings).toEqual([])
    expect(later && breaksRule(later, 'expiring-certificate')).toBe(false)
  })

  it('lists the exposed and sensitive first', () => {
    const listeners = audit([
      listener({ localAddress: '127.0.0.1', localPort: 1000, inode: 1 }),
      listener({ localAddress: '0.0.0.0', localPort: 3000, inode: 2 }),
      listener({ localAddress: '0.0.0.0', localPort: 5432, inode: 3, process: 'postgres' })
    ])
    expect(listeners.map((entry) => entry.localPort)).toEqual([5432, 3000, 1000])
  })
})

describe('containers', () => {
  const inContainer = (overrides: Partial<SocketEntry>) => buildSocket({ netns: CONTAINER, container: 'docker:3f2a', ...overrides })
  const proxy = (hostPort: number, containerAddress: string, containerPort: number, inode: number) =>
    listener({
      localAddress: '0.0.0.0',
      localPort: hostPort,
      process: 'docker-proxy',
      inode,
      command: `/usr/bin/docker-proxy -proto tcp -host-ip 0.0.0.0 -host-port ${hostPort} -container-ip ${containerAddress} -container-port ${containerPort}`
    })

  it('names the host ports a docker-proxy publishes a container listener on', () => {
    const listeners = audit([
      inContainer({ localAddress: '0.0.0.0', localPort: 80, inode: 10 }),
      // The container's own address shows on one of its connections.
      inContainer({ localAddress: '172.17.0.2', localPort: 80, state: 'ESTABLISHED', remoteAddress: '172.17.0.1', remotePort: 40000, inode: 11 }),
      proxy(8080, '172.17.0.2', 80, 12),
      // Another container, at another address, on the same port: not the one published.
      buildSocket({ netns: CONTAINER + 1, container: 'docker:9c1d', localAddress: '0.0.0.0', localPort: 80, inode: 13 }),
      buildSocket({ netns: CONTAINER + 1, container: 'docker:9c1d', localAddress: '172.17.0.3', localPort: 80, state: 'ESTABLISHED', remotePort: 1, inode: 14 })
    ])
    const published = listeners.find((entry) => entry.container === 'docker:3f2a')
    expect(published).toMatchObject({ otherNamespace: true, reach: 'all', publishedAs: ['0.0.0.0:8080'] })
    expect(published?.warnings).toContain('Published to the host as 0.0.0.0:8080, so machines that reach those addresses reach it too.')
    expect(published?.warnings[0]).toContain('reachable from every network interface of container docker:3f2a')
    const other = listeners.find((entry) => entry.container === 'docker:9c1d')
    expect(other?.publishedAs).toEqual([])
    expect(other?.warnings).toContain('No host port forwards to it as far as sockscope can see (no docker-proxy names it); other containers on its networks can still reach it.')
    expect(listeners.find((entry) => entry.process === 'docker-proxy')?.otherNamespace).toBe(false)
  })

  it('gives a published port to the only container listener on it when no namespace shows the address', () => {
    const [container] = audit([inContainer({ localAddress: '0.0.0.0', localPort: 5432, inode: 10, process: 'postgres' }), proxy(5432, '172.18.0.5', 5432, 12)]).filter(
      (entry) => entry.otherNamespace
    )
    expect(container?.publishedAs).toEqual(['0.0.0.0:5432'])
  })
})
