/**
 * Connection churn from closed connections: counted per destination over a sliding minute, and
 * the `connection-churn` leak rule pinned at its default threshold of 600 short-lived
 * connections a minute, one just inside and one just outside.
 */
import { describe, expect, it } from 'vitest'
import { ConnectionChurnWindow } from '../../../../electron/backend/events/connection-churn'
import { LeakDetector } from '../../../../electron/backend/leaks/leak-detector'
import { HistoryStore } from '../../../../electron/backend/history/history-store'
import { DEFAULT_LEAK_SETTINGS } from '../../../../shared/leak-settings'
import type { ClosedConnection } from '../../../../shared/model/closed-connection'
import { buildSample } from '../../../support/history-sample-builder'

const START = 1_700_000_000_000

let sequence = 0
/** A client connection from an ephemeral port to 10.0.0.9:`port`, closed at `closedAt`. */
function closedTo(port: number, closedAt: number, durationMs: number | null, pid: number | null = null): ClosedConnection {
  return {
    sequence: ++sequence,
    family: 4,
    localAddress: '10.0.0.2',
    localPort: 40_000 + (sequence % 20_000),
    remoteAddress: '10.0.0.9',
    remotePort: port,
    state: 'CLOSE',
    uid: null,
    pid,
    process: pid === null ? null : 'worker',
    openedAt: durationMs === null ? null : closedAt - durationMs,
    closedAt,
    durationMs,
    tcpInfo: null
  }
}

/** `count` connections spread over the minute before START + 60 s. */
function minuteOf(count: number, port: number, durationMs: number | null, pid: number | null = null): ClosedConnection[] {
  return Array.from({ length: count }, (_, index) => closedTo(port, START + Math.floor((index * 60_000) / count), durationMs, pid))
}

describe('ConnectionChurnWindow', () => {
  it('counts closes per destination, short-lived ones apart, and names the usual process', () => {
    const window = new ConnectionChurnWindow()
    window.add([...minuteOf(30, 5432, 200, 7), ...minuteOf(10, 5432, 5_000, 7), ...minuteOf(5, 443, null)])
    // An accepted connection is named after the server's own port.
    window.add([{ ...closedTo(80, START + 1_000, 100), localPort: 8080, remotePort: 51_000 }])
    const churn = window.summary(START + 59_999)
    expect(churn).toMatchObject({ windowSeconds: 60, closed: 46, shortLived: 36 })
    expect(churn.groups[0]).toEqual({ destination: '10.0.0.9:5432', pid: 7, process: 'worker', closed: 40, shortLived: 30 })
    expect(churn.groups[1]).toEqual({ destination: '10.0.0.9:443', pid: null, process: null, closed: 5, shortLived: 5 })
    expect(churn.groups[2]).toMatchObject({ destination: 'clients of :8080', closed: 1 })
  })

  it('names a connection after the port seen listening, whichever of the two ports is lower', () => {
    const window = new ConnectionChurnWindow((port) => port === 50_000)
    // A client end to a server listening on a high port, from a lower ephemeral port.
    window.add([{ ...closedTo(50_000, START, 10), localPort: 40_000 }])
    // The server's own end of such a connection.
    window.add([{ ...closedTo(40_001, START, 10), localPort: 50_000 }])
    expect(
      window
        .summary(START)
        .groups.map((group) => group.destination)
        .sort()
    ).toEqual(['10.0.0.9:50000', 'clients of :50000'])
  })

  it('counts a connection of 999 ms as short-lived and one of 1000 ms not', () => {
    const window = new ConnectionChurnWindow()
    window.add([closedTo(1, START, 999), closedTo(1, START, 1_000)])
    expect(window.summary(START)).toMatchObject({ closed: 2, shortLived: 1 })
  })

  it('forgets closes older than a minute', () => {
    const window = new ConnectionChurnWindow()
    window.add([closedTo(1, START, 10), closedTo(1, START + 1_000, 10)])
    expect(window.summary(START + 59_999).closed).toBe(2)
    expect(window.summary(START + 60_000).closed).toBe(1)
    // A bucket reused by a later second starts empty.
    window.add([closedTo(1, START + 60_500, 10)])
    expect(window.summary(START + 60_999).closed).toBe(2)
  })
})

describe('connection-churn: 600 short-lived connections a minute to one destination', () => {
  /** Kinds of the findings that appear at once for a minute of `count` closes. */
  function appears(count: number, durationMs: number | null, pid: number | null = 7): string[] {
    const window = new ConnectionChurnWindow()
    window.add(minuteOf(count, 5432, durationMs, pid))
    const detector = new LeakDetector({ ...DEFAULT_LEAK_SETTINGS, raiseAfterSeconds: 0 })
    const store = new HistoryStore({ capacity: 10 })
    const now = START + 59_999
    const sample = buildSample(now, [])
    store.append(sample)
    const update = detector.evaluate({ history: store, sample, sockets: [], churn: window.summary(now) })
    return update.appeared.map((finding) => `${finding.kind} ${finding.process?.pid ?? ''} ${finding.evidence.groups[0]?.label ?? ''}`)
  }

  it('raises at 600', () => {
    expect(appears(600, 50)).toEqual(['connection-churn 7 10.0.0.9:5432'])
    // Closed before any poll saw them counts too.
    expect(appears(600, null, null)).toEqual(['connection-churn  10.0.0.9:5432'])
  })

  it('stays quiet at 599, and for 600 connections that each lived a second', () => {
    expect(appears(599, 50)).toEqual([])
    expect(appears(600, 1_000)).toEqual([])
  })

  it('stays quiet where close events are not followed', () => {
    const detector = new LeakDetector({ ...DEFAULT_LEAK_SETTINGS, raiseAfterSeconds: 0 })
    const store = new HistoryStore({ capacity: 10 })
    const sample = buildSample(START, [])
    store.append(sample)
    expect(detector.evaluate({ history: store, sample, sockets: [] }).appeared).toEqual([])
  })
})
