// @vitest-environment happy-dom
/** The sockets store against a real backend: highlights follow TCPView's convention and expire. */
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createBackend, type Backend } from '../../../electron/backend/backend'
import { MARK_DURATIONS, useSocketsStore } from '../../../renderer/src/stores/sockets'
import type { SocketDiff } from '../../../shared/model/socket'
import { setBackendClient } from '../../../renderer/src/transport'
import { createInProcessClient } from '../../support/in-process-client'
import { startTcpServer } from '../../support/loopback-servers'
import { sampleTcpInfo } from '../../support/socket-builder'

/** What a test's tick changes; everything else is empty. */
type TickChanges = Partial<Pick<SocketDiff, 'added' | 'changed' | 'removed' | 'counters'>>

/** Applies the tick after the store's last one, with only `changes` in it. */
function applyNextTick(store: ReturnType<typeof useSocketsStore>, changes: TickChanges): void {
  store.applyTick({
    tick: store.lastTick + 1,
    previousTick: store.lastTick,
    takenAt: 0,
    refreshMs: 0,
    added: [],
    removed: [],
    changed: [],
    counters: [],
    issues: [],
    partialOwnership: false,
    ...changes
  })
}

let backend: Backend

beforeEach(() => {
  setActivePinia(createPinia())
  backend = createBackend({ autoStart: false, resolveNames: false })
  setBackendClient(createInProcessClient(backend))
})
afterEach(async () => backend.dispose())

describe('useSocketsStore', () => {
  it('marks a new socket green, a closed one red, then drops it', async () => {
    const store = useSocketsStore()
    await backend.sockets.refresh()
    await store.start()
    const server = await startTcpServer()
    const port = server.port
    await backend.sockets.refresh()
    const row = () => store.visibleRows.find(({ socket }) => socket.localAddress === '127.0.0.1' && socket.localPort === port && socket.state === 'LISTEN')
    expect(row()?.mark).toBe('new')

    await server.close()
    await backend.sockets.refresh()
    expect(row()?.mark).toBe('closed')

    const closedAt = row()?.markedAt ?? 0
    const later = backend.sockets.current()
    store.applyTick(
      { tick: later.tick + 1, previousTick: later.tick, takenAt: 0, refreshMs: 0, added: [], removed: [], changed: [], counters: [], issues: [], partialOwnership: false },
      closedAt + MARK_DURATIONS.closed + 1
    )
    expect(row()).toBeUndefined()
  })

  it('filters with the query language and keeps the last good filter while one is half typed', async () => {
    const store = useSocketsStore()
    const server = await startTcpServer()
    const port = server.port
    await backend.sockets.refresh()
    await store.start()
    // The listener's whole identity: a TIME_WAIT socket may carry the same port number.
    const filter = `laddr:127.0.0.1 lport:${port} state:listen`
    store.setFilter(filter)
    expect(store.visibleRows.map((row) => row.socket.localPort)).toEqual([port])
    store.setFilter(`${filter} and`)
    expect(store.filterError?.message).toBeTruthy()
    expect(store.visibleRows.map((row) => row.socket.localPort)).toEqual([port])
    await server.close()
  })

  it('re-reads the whole table when a tick was missed', async () => {
    const store = useSocketsStore()
    await backend.sockets.refresh()
    await store.start()
    const server = await startTcpServer()
    const port = server.port
    await backend.sockets.refresh()
    const current = backend.sockets.current()
    // A tick that skips ahead: the store must not apply it blindly but reload the snapshot.
    store.applyTick({
      tick: current.tick + 5,
      previousTick: current.tick + 4,
      takenAt: 0,
      refreshMs: 0,
      added: [],
      removed: [],
      changed: [],
      counters: [],
      issues: [],
      partialOwnership: false
    })
    await expect.poll(() => store.lastTick).toBe(current.tick)
    expect(store.visibleRows.some((row) => row.socket.localPort === port)).toBe(true)
    await server.close()
  })

  it('applies the ticks that arrive while a slow table is on its way, so the re-read does not start another', async () => {
    const inner = createInProcessClient(backend)
    let snapshots = 0
    let deliver: () => void = () => undefined
    setBackendClient({
      ...inner,
      request: (channel, args) => {
        if (channel !== 'sockets/snapshot') return inner.request(channel, args)
        snapshots++
        // The table is read now but arrives only when the test says: ticks overtake it.
        const answer = inner.request(channel, args)
        return snapshots === 1 ? answer : new Promise((resolve) => (deliver = () => resolve(answer as never)))
      }
    })
    const store = useSocketsStore()
    await backend.sockets.refresh()
    await store.start()
    const before = backend.sockets.current().tick
    store.applyTick({
      tick: before + 5,
      previousTick: before + 4,
      takenAt: 0,
      refreshMs: 0,
      added: [],
      removed: [],
      changed: [],
      counters: [],
      issues: [],
      partialOwnership: false
    })
    expect(snapshots).toBe(2)
    const server = await startTcpServer()
    await backend.sockets.refresh()
    await backend.sockets.refresh()
    deliver()
    await expect.poll(() => store.lastTick).toBe(before + 2)
    expect(store.visibleRows.some((row) => row.socket.localPort === server.port && row.socket.state === 'LISTEN')).toBe(true)
    await backend.sockets.refresh()
    expect(store.lastTick).toBe(before + 3)
    expect(snapshots).toBe(2)
    await server.close()
  })

  it('re-sorts on counters when sorted by a per-tick field, and on rows that come, change or go', async () => {
    const store = useSocketsStore()
    const servers = [await startTcpServer(), await startTcpServer()]
    await backend.sockets.refresh()
    await store.start()
    const [low, high] = servers.map((server) => store.visibleRows.find(({ socket }) => socket.localPort === server.port && socket.state === 'LISTEN')!.socket)
    store.setFilter(`lport:${servers[0]!.port} or lport:${servers[1]!.port}`)
    store.sortBy('tcpInfo.bytesSent')
    const tick = (counters: Array<[typeof low, number]>) =>
      applyNextTick(store, {
        counters: counters.map(([socket, bytesSent]) => ({ id: socket!.id, timer: null, tcpInfo: sampleTcpInfo({ bytesSent }), throughput: null }))
      })
    tick([
      [low, 10],
      [high, 20]
    ])
    expect(store.visibleRows.map((row) => row.socket.id)).toEqual([low!.id, high!.id])
    tick([
      [low, 30],
      [high, 20]
    ])
    expect(store.visibleRows.map((row) => row.socket.id)).toEqual([high!.id, low!.id])
    // Sorted on a field counters never touch: the rows still show their newest values.
    store.sortBy('localPort')
    tick([[low, 99]])
    expect(store.visibleRows.find((row) => row.socket.id === low!.id)?.socket.tcpInfo?.bytesSent).toBe(99)
    for (const server of servers) await server.close()
  })

  it('moves a row whose sorted field changed, and places new rows, without sorting the table again', async () => {
    const store = useSocketsStore()
    const servers = [await startTcpServer(), await startTcpServer()]
    await backend.sockets.refresh()
    await store.start()
    const [first, second] = servers.map((server) => store.visibleRows.find(({ socket }) => socket.localPort === server.port && socket.state === 'LISTEN')!.socket)
    store.setFilter(`lport:${servers[0]!.port} or lport:${servers[1]!.port}`)
    store.sortBy('process')
    const renamed = (socket: typeof first, process: string) => ({ ...socket!, process })
    const tick = (changes: TickChanges) => applyNextTick(store, changes)
    tick({ changed: [renamed(first, 'bbb'), renamed(second, 'ccc')] })
    expect(store.visibleRows.map((row) => row.socket.id)).toEqual([first!.id, second!.id])
    tick({ changed: [renamed(first, 'ddd')] })
    expect(store.visibleRows.map((row) => row.socket.id)).toEqual([second!.id, first!.id])
    const newcomer = { ...renamed(first, 'aaa'), id: `${first!.id} newcomer` }
    tick({ added: [newcomer] })
    expect(store.visibleRows.map((row) => row.socket.id)).toEqual([newcomer.id, second!.id, first!.id])
    for (const server of servers) await server.close()
  })

  it('keeps the filter true on every tick: rows that change, come or go are tested again, counters alone change nothing', async () => {
    const store = useSocketsStore()
    const servers = [await startTcpServer(), await startTcpServer()]
    await backend.sockets.refresh()
    await store.start()
    const [first, second] = servers.map((server) => store.visibleRows.find(({ socket }) => socket.localPort === server.port && socket.state === 'LISTEN')!.socket)
    store.setFilter(`(lport:${servers[0]!.port} or lport:${servers[1]!.port}) state:listen`)
    // Which rows, in id order: their order is another test's.
    const shown = () => store.visibleRows.map((row) => row.socket.id).sort()
    expect(shown()).toEqual([first!.id, second!.id].sort())
    const tick = (changes: TickChanges) => applyNextTick(store, changes)
    tick({ changed: [{ ...first!, state: 'CLOSE_WAIT' }] })
    expect(shown()).toEqual([second!.id])
    tick({ counters: [{ id: first!.id, timer: null, tcpInfo: sampleTcpInfo({ bytesSent: 7 }), throughput: null }] })
    expect(shown()).toEqual([second!.id])
    const newcomer = { ...second!, id: `${second!.id} newcomer` }
    tick({ added: [newcomer], changed: [{ ...first!, state: 'LISTEN' }] })
    expect(shown()).toEqual([first!.id, second!.id, newcomer.id].sort())
    for (const server of servers) await server.close()
  })

  it('offers the open sockets again when one comes, changes or goes, and keeps them when only counters move', async () => {
    const store = useSocketsStore()
    const server = await startTcpServer()
    await backend.sockets.refresh()
    await store.start()
    const listener = store.liveSockets.find((socket) => socket.localPort === server.port && socket.state === 'LISTEN')!
    const tick = (changes: TickChanges) => applyNextTick(store, changes)
    const before = store.liveSocketsIgnoringCounters
    tick({ counters: [{ id: listener.id, timer: null, tcpInfo: sampleTcpInfo({ bytesSent: 5 }), throughput: null }] })
    expect(store.liveSocketsIgnoringCounters).toBe(before)
    // The live list itself has the new counters.
    expect(store.liveSockets.find((socket) => socket.id === listener.id)?.tcpInfo?.bytesSent).toBe(5)
    const of = (id: string) => store.liveSocketsIgnoringCounters.find((socket) => socket.id === id)
    tick({ changed: [{ ...listener, state: 'CLOSE_WAIT' }] })
    expect(of(listener.id)?.state).toBe('CLOSE_WAIT')
    const newcomer = { ...listener, id: `${listener.id} newcomer` }
    tick({ added: [newcomer] })
    expect(of(newcomer.id)).toBeDefined()
    tick({ removed: [newcomer.id] })
    expect(of(newcomer.id)).toBeUndefined()
    await server.close()
  })

  it('takes per-tick counters quietly: the row gets the new values and no changed mark', async () => {
    const store = useSocketsStore()
    const server = await startTcpServer()
    await backend.sockets.refresh()
    await store.start()
    const row = store.visibleRows.find(({ socket }) => socket.localAddress === '127.0.0.1' && socket.localPort === server.port && socket.state === 'LISTEN')!
    const tcpInfo = sampleTcpInfo({ bytesSent: 4242 })
    const timer = { kind: 'keepalive' as const, expiresInMs: 123 }
    const tick = store.lastTick
    store.applyTick({
      tick: tick + 1,
      previousTick: tick,
      takenAt: 0,
      refreshMs: 0,
      added: [],
      removed: [],
      changed: [],
      counters: [{ id: row.socket.id, timer, tcpInfo, throughput: { sendBytesPerSecond: 10, receiveBytesPerSecond: 20 } }],
      issues: [],
      partialOwnership: false
    })
    const updated = store.rowsById.get(row.socket.id)!
    expect(updated.socket.tcpInfo?.bytesSent).toBe(4242)
    expect(updated.socket.timer).toEqual(timer)
    expect(updated.socket.throughput).toEqual({ sendBytesPerSecond: 10, receiveBytesPerSecond: 20 })
    expect(updated.socket.state).toBe(row.socket.state)
    expect(updated.mark).toBe(row.mark)
    await server.close()
  })

  it('shows a failed pause or interval change instead of throwing from the click', async () => {
    const inner = createInProcessClient(backend)
    const gone = () => Promise.reject(new Error('the connection to sockscope is closed'))
    setBackendClient({ ...inner, request: (channel, args) => (channel === 'sockets/snapshot' || channel === 'sockets/status' ? inner.request(channel, args) : gone()) })
    const store = useSocketsStore()
    await store.start()
    await store.setPaused(true)
    expect(store.loadError).toContain('closed')
    store.loadError = null
    await store.setIntervalMs(500)
    expect(store.loadError).toContain('closed')
  })
})

describe('useSocketsStore under missed ticks', () => {
  it('runs one full re-read however many gapped ticks arrive meanwhile', async () => {
    const store = useSocketsStore()
    await backend.sockets.refresh()
    await store.start()
    let snapshots = 0
    const counting = createInProcessClient(backend)
    setBackendClient({
      ...counting,
      request: (channel, args) => {
        if (channel === 'sockets/snapshot') snapshots++
        return counting.request(channel, args)
      }
    })
    const tick = backend.sockets.current().tick
    for (let gap = 2; gap < 12; gap++) {
      store.applyTick({
        tick: tick + gap + 1,
        previousTick: tick + gap,
        takenAt: 0,
        refreshMs: 0,
        added: [],
        removed: [],
        changed: [],
        counters: [],
        issues: [],
        partialOwnership: false
      })
    }
    await expect.poll(() => store.lastTick).toBe(tick)
    expect(snapshots).toBe(1)
  })
})
