/** The live table's order, kept by placing what each tick touched, always equals a full sort. */
import { describe, expect, it } from 'vitest'
import type { SocketEntry } from '../../shared/model/socket'
import { SOCKET_FIELDS, sortedBySocketField, type SocketFieldKey } from '../../shared/socket-field-table'
import { insertSorted, SocketOrder } from '../../renderer/src/socket-order'
import { buildSocket, sampleTcpInfo } from '../support/socket-builder'

/** A repeatable pseudo-random sequence, so a failure can be replayed. */
function randomFrom(seed: number): () => number {
  let state = seed
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31
    return state / 2 ** 31
  }
}

const NAMES = ['node10', 'node2', 'Node2', 'sshd', null]

function socketAt(index: number, random: () => number): SocketEntry {
  const process = NAMES[Math.floor(random() * NAMES.length)] ?? null
  return buildSocket({
    localPort: Math.floor(random() * 40),
    remotePort: index,
    inode: 5000 + index,
    process,
    pid: process === null ? null : 100 + Math.floor(random() * 5),
    tcpInfo: random() < 0.2 ? null : sampleTcpInfo({ bytesSent: Math.floor(random() * 30) })
  })
}

function expectedIds(rows: ReadonlyMap<string, { socket: SocketEntry }>, key: SocketFieldKey, descending: boolean): string[] {
  return sortedBySocketField([...rows.values()], (row) => row.socket, key, descending).map((row) => row.socket.id)
}

describe('SocketOrder', () => {
  it('matches a full sort after rows come, change and go, on every field and in both directions', () => {
    for (const field of SOCKET_FIELDS) {
      for (const descending of [false, true]) {
        const random = randomFrom(field.key.length * 7 + (descending ? 1 : 0))
        const rows = new Map<string, { socket: SocketEntry }>()
        let next = 0
        for (; next < 300; next++) {
          const socket = socketAt(next, random)
          rows.set(socket.id, { socket })
        }
        const order = new SocketOrder()
        expect(order.ids(rows, field.key, descending), field.key).toEqual(expectedIds(rows, field.key, descending))
        for (let tick = 0; tick < 12; tick++) {
          // A few rows per tick: few enough that they are placed, not sorted again.
          for (let added = 0; added < 5; added++, next++) {
            const socket = socketAt(next, random)
            rows.set(socket.id, { socket })
            order.comeOrWent(socket.id)
          }
          const ids = [...rows.keys()]
          for (let changed = 0; changed < 5; changed++) {
            const id = ids[Math.floor(random() * ids.length)] as string
            const replacement = socketAt(next++, random)
            rows.set(id, { socket: { ...replacement, id } })
            order.changed(id)
          }
          for (let gone = 0; gone < 4; gone++) {
            const id = ids[Math.floor(random() * ids.length)] as string
            rows.delete(id)
            order.comeOrWent(id)
          }
          expect(order.ids(rows, field.key, descending), `${field.key} ${descending} tick ${tick}`).toEqual(expectedIds(rows, field.key, descending))
        }
        // A new sort starts from the id order kept meanwhile.
        expect(order.ids(rows, 'process', !descending)).toEqual(expectedIds(rows, 'process', !descending))
      }
    }
  })

  it('places rows instead of sorting again when a tick touches a few', () => {
    const random = randomFrom(3)
    const rows = new Map<string, { socket: SocketEntry }>()
    for (let index = 0; index < 200; index++) {
      const socket = socketAt(index, random)
      rows.set(socket.id, { socket })
    }
    const order = new SocketOrder()
    const first = order.ids(rows, 'localPort', false)
    // Untouched, the order is the same list: nothing downstream needs to run again.
    expect(order.ids(rows, 'localPort', false)).toBe(first)
    const id = first[0] as string
    rows.set(id, { socket: { ...(rows.get(id) as { socket: SocketEntry }).socket, localPort: 1000 } })
    order.changed(id)
    const placed = order.ids(rows, 'localPort', false)
    expect(placed.at(-1)).toBe(id)
    expect(placed.slice(0, -1)).toEqual(first.slice(1))
  })

  it('inserts each addition after the items it ties with', () => {
    const byTens = (a: number, b: number) => Math.floor(a / 10) - Math.floor(b / 10)
    expect(insertSorted([10, 11, 20, 30], [12, 25, 31, 40], byTens)).toEqual([10, 11, 12, 20, 25, 30, 31, 40])
    expect(insertSorted([10, 20], [5], byTens)).toEqual([5, 10, 20])
    expect(insertSorted([], [1, 2], byTens)).toEqual([1, 2])
  })
})
