import { describe, expect, it } from 'vitest'
import type { SocketEntry } from '../../../../shared/model/socket'
import { LeakHarness } from '../../../support/leak-harness'
import { buildSocket } from '../../../support/socket-builder'
import { buildProcessSample, buildSample } from '../../../support/history-sample-builder'
import { elementAt } from '../../../../shared/element-at'

const owner = (pid: number, process = 'app') => ({ pid, process, owners: [{ pid, process, command: process, user: 'root' }] })

describe('LeakDetector hysteresis', () => {
  it('raises fd-limit after the raise delay, does not flap at the threshold, and clears once', () => {
    const harness = new LeakHarness()
    const fds = (count: number) => (takenAt: number) => buildSample(takenAt, [buildProcessSample({ pid: 5, name: 'db', sockets: 3, fdCount: count, fdSoftLimit: 1000 })])
    for (let index = 0; index < 5; index++) harness.tick(fds(500))
    for (let index = 0; index < 5; index++) harness.tick(fds(810))
    expect(harness.appeared).toEqual([])
    harness.tick(fds(810))
    expect(harness.appeared.map((finding) => finding.id)).toEqual(['fd-limit:5'])
    const finding = elementAt(harness.appeared, 0)
    expect(finding).toMatchObject({ kind: 'fd-limit', process: { pid: 5, name: 'db' }, severity: 'warning', clearedAt: null })
    expect(finding.evidence.numbers).toMatchObject({ fdCount: 810, fdSoftLimit: 1000 })
    expect(finding.explanation).toContain('810 file descriptors')
    // Hovering around the threshold keeps the one finding.
    for (let index = 0; index < 40; index++) harness.tick(fds(index % 2 === 0 ? 790 : 805))
    expect(harness.appeared).toHaveLength(1)
    expect(harness.cleared).toHaveLength(0)
    // Well below: clears after the clear delay, once.
    for (let index = 0; index < 29; index++) harness.tick(fds(400))
    expect(harness.cleared).toHaveLength(0)
    harness.tick(fds(400))
    harness.tick(fds(400))
    expect(harness.cleared.map((cleared) => cleared.id)).toEqual(['fd-limit:5'])
    expect(elementAt(harness.cleared, 0).clearedAt).not.toBeNull()
    expect(harness.detector.active()).toEqual([])
  })

  it('marks a process at 95% of its limit critical', () => {
    const harness = new LeakHarness({ raiseAfterSeconds: 0 })
    harness.tick((takenAt) => buildSample(takenAt, [buildProcessSample({ pid: 5, fdCount: 990, fdSoftLimit: 1000 })]))
    expect(elementAt(harness.appeared, 0).severity).toBe('critical')
  })

  it('clears everything when turned off', () => {
    const harness = new LeakHarness({ raiseAfterSeconds: 0 })
    const sample = (takenAt: number) => buildSample(takenAt, [buildProcessSample({ pid: 5, fdCount: 990, fdSoftLimit: 1000 })])
    harness.tick(sample)
    harness.detector.setSettings({ ...harness.detector.currentSettings(), enabled: false })
    harness.tick(sample)
    expect(harness.cleared.map((finding) => finding.id)).toEqual(['fd-limit:5'])
  })
})

describe('growth', () => {
  it('reports a process whose count climbs, with the numbers and the series', () => {
    const harness = new LeakHarness()
    for (let second = 0; second < 120; second++) {
      harness.tick((takenAt) => buildSample(takenAt, [buildProcessSample({ pid: 9, name: 'leaky', sockets: 20 + second, fdCount: 40 + second, fdSoftLimit: 1024 })]))
    }
    const growth = harness.appeared.filter((finding) => finding.kind === 'growth')
    expect(growth).toHaveLength(1)
    expect(elementAt(growth, 0).process).toEqual({ pid: 9, name: 'leaky' })
    expect(elementAt(growth, 0).evidence.numbers.slopePerMinute).toBeCloseTo(60, 0)
    expect(elementAt(growth, 0).evidence.series?.values.length).toBeGreaterThan(10)
    expect(elementAt(growth, 0).explanation).toMatch(/about 60 more every minute/)
    expect(elementAt(growth, 0).explanation).toMatch(/reaches its limit of 1024 open files/)
  })
})

describe('close-wait', () => {
  const closeWait = (index: number, pid = 7): SocketEntry =>
    buildSocket({ ...owner(pid), localPort: 40000 + index, remoteAddress: '127.0.0.1', remotePort: 8080, state: 'CLOSE_WAIT', inode: 500 + index })

  it('reports sockets left in CLOSE_WAIT past the minimum age, grouped by remote endpoint', () => {
    const harness = new LeakHarness()
    const sockets = Array.from({ length: 6 }, (_, index) => closeWait(index))
    const sample = (takenAt: number) => buildSample(takenAt, [buildProcessSample({ pid: 7, sockets: 6, states: { CLOSE_WAIT: 6 } })])
    for (let second = 0; second < 40; second++) harness.tick(sample, sockets)
    expect(harness.appeared).toHaveLength(1)
    const finding = elementAt(harness.appeared, 0)
    expect(finding).toMatchObject({ id: 'close-wait:7', kind: 'close-wait', process: { pid: 7, name: 'app' } })
    expect(finding.evidence.groups).toEqual([{ label: '127.0.0.1:8080', count: 6 }])
    expect(finding.since).toBe(1_700_000_000_000)
    expect(finding.explanation).toContain('never called close()')
    // The process closes them: the finding clears.
    for (let second = 0; second < 31; second++) harness.tick((takenAt) => buildSample(takenAt), [])
    expect(harness.cleared.map((cleared) => cleared.id)).toEqual(['close-wait:7'])
  })

  it('ignores CLOSE_WAIT sockets that a busy server closes promptly', () => {
    const harness = new LeakHarness()
    for (let second = 0; second < 120; second++) {
      // Ten fresh CLOSE_WAIT sockets every second, each gone by the next.
      const sockets = Array.from({ length: 10 }, (_, index) => closeWait(second * 10 + index))
      harness.tick((takenAt) => buildSample(takenAt, [buildProcessSample({ pid: 7, sockets: 10, states: { CLOSE_WAIT: 10 } })]), sockets)
    }
    expect(harness.appeared).toEqual([])
  })

  it('names accepted connections after the listening port', () => {
    const harness = new LeakHarness({ raiseAfterSeconds: 0, closeWaitMinimumAgeSeconds: 0 })
    const listener = buildSocket({ ...owner(3, 'api'), localPort: 3000, inode: 1 })
    const accepted = Array.from({ length: 5 }, (_, index) =>
      buildSocket({ ...owner(3, 'api'), localPort: 3000, remoteAddress: '10.1.2.3', remotePort: 50000 + index, state: 'CLOSE_WAIT', inode: 10 + index })
    )
    harness.tick((takenAt) => buildSample(takenAt), [listener, ...accepted])
    expect(elementAt(harness.appeared, 0).evidence.groups).toEqual([{ label: 'clients of :3000 from 10.1.2.3', count: 5 }])
  })
})

describe('time-wait and ephemeral ports', () => {
  it('reports TIME_WAIT dominance and guesses the server behind it', () => {
    const harness = new LeakHarness({ raiseAfterSeconds: 0 })
    const listener = buildSocket({ ...owner(12, 'web'), localPort: 80, inode: 1 })
    const timeWait = Array.from({ length: 1200 }, (_, index) =>
      buildSocket({
        pid: null,
        process: null,
        owners: [],
        ownerVisibility: 'none',
        localPort: 80,
        remoteAddress: '127.0.0.9',
        remotePort: 30000 + index,
        state: 'TIME_WAIT',
        inode: 0
      })
    )
    const sample = (takenAt: number) => buildSample(takenAt, [], { states: { TIME_WAIT: 1200, LISTEN: 1 }, protocols: { tcp: 1201, udp: 0, unix: 0, raw: 0 }, sockets: 1201 })
    harness.tick(sample, [listener, ...timeWait])
    expect(harness.appeared).toHaveLength(1)
    expect(harness.appeared[0]).toMatchObject({ kind: 'time-wait', process: { pid: 12, name: 'web' }, severity: 'info' })
    expect(elementAt(harness.appeared, 0).evidence.groups[0]).toEqual({ label: 'clients of :80 from 127.0.0.9', count: 1200 })
    expect(elementAt(harness.appeared, 0).advice).toMatch(/keep-alive/)
  })

  it('reports one destination using over half the ephemeral range', () => {
    const harness = new LeakHarness({ raiseAfterSeconds: 0 })
    const use = { protocol: 'tcp' as const, localAddress: '127.0.0.1', remoteAddress: '127.0.0.1', remotePort: 6379, pid: 4, process: 'worker' }
    harness.tick((takenAt) =>
      buildSample(takenAt, [], {
        ephemeral: [
          { ...use, count: 20000 },
          { ...use, remotePort: 5432, count: 10 }
        ]
      })
    )
    expect(harness.appeared.map((finding) => finding.id)).toEqual(['ephemeral-ports:tcp|127.0.0.1|127.0.0.1|6379'])
    expect(harness.appeared[0]).toMatchObject({ process: { pid: 4, name: 'worker' }, severity: 'warning' })
    expect(elementAt(harness.appeared, 0).explanation).toContain('EADDRNOTAVAIL')
  })
})

describe('a steady server', () => {
  it('produces no finding at all over ten minutes', () => {
    const harness = new LeakHarness()
    const listener = buildSocket({ ...owner(1, 'server'), localPort: 8080, inode: 1 })
    let seed = 1
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed / 2 ** 31
    }
    const established = Array.from({ length: 520 }, (_, index) =>
      buildSocket({ ...owner(1, 'server'), localPort: 8080, remoteAddress: '127.0.0.2', remotePort: 40000 + index, state: 'ESTABLISHED', inode: 100 + index })
    )
    for (let second = 0; second < 600; second++) {
      // 480 to 520 clients, coming and going, a few passing through CLOSE_WAIT.
      const clients = 480 + Math.floor(next() * 40)
      const sockets: SocketEntry[] = [listener, ...established.slice(0, clients)]
      for (let index = 0; index < 3; index++) {
        sockets.push(
          buildSocket({
            ...owner(1, 'server'),
            localPort: 8080,
            remoteAddress: '127.0.0.3',
            remotePort: second * 3 + index,
            state: 'CLOSE_WAIT',
            inode: 100_000 + second * 3 + index
          })
        )
      }
      const sample = (takenAt: number) =>
        buildSample(takenAt, [
          buildProcessSample({
            pid: 1,
            name: 'server',
            sockets: clients + 4,
            states: { LISTEN: 1, ESTABLISHED: clients, CLOSE_WAIT: 3 },
            fdCount: clients + 30,
            fdSoftLimit: 20000
          })
        ])
      harness.tick(sample, sockets)
    }
    expect(harness.appeared).toEqual([])
  })
})

describe('findings about a process that exited', () => {
  it('clear at the first tick without the process, though its history still rises', () => {
    const harness = new LeakHarness()
    const climbing = (second: number) => (takenAt: number) =>
      buildSample(takenAt, [buildProcessSample({ pid: 9, name: 'leaky', sockets: 20 + second, fdCount: 40 + second, fdSoftLimit: 1024 })])
    for (let second = 0; second < 120; second++) harness.tick(climbing(second))
    expect(harness.detector.active().map((finding) => finding.id)).toEqual(['growth:9'])
    // The process exits: the next tick has no sample for it, while its column still climbs in the window.
    harness.tick((takenAt) => buildSample(takenAt, [buildProcessSample({ pid: 10, name: 'other', sockets: 3 })]))
    expect(harness.cleared.map((finding) => finding.id)).toEqual(['growth:9'])
    expect(harness.detector.active()).toEqual([])
    // And it does not come back from the history while the process stays gone.
    for (let second = 0; second < 60; second++) harness.tick((takenAt) => buildSample(takenAt, [buildProcessSample({ pid: 10, name: 'other', sockets: 3 })]))
    expect(harness.appeared.filter((finding) => finding.id === 'growth:9')).toHaveLength(1)
  })

  it('keeps a finding while its process is there, even with one tick of quiet', () => {
    const harness = new LeakHarness({ raiseAfterSeconds: 0 })
    const fds = (count: number) => (takenAt: number) => buildSample(takenAt, [buildProcessSample({ pid: 5, name: 'db', sockets: 3, fdCount: count, fdSoftLimit: 1000 })])
    harness.tick(fds(900))
    harness.tick(fds(100))
    expect(harness.cleared).toEqual([])
    expect(harness.detector.active().map((finding) => finding.id)).toEqual(['fd-limit:5'])
  })
})
