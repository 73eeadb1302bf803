/** Column sorting of socket rows: blanks stay at the bottom whichever way a column is sorted. */
import { describe, expect, it } from 'vitest'
import { compareSockets } from '../../renderer/src/socket-sort'
import { buildSocket } from '../support/socket-builder'

const unix = buildSocket({ id: 'unix', protocol: 'unix', family: null, localPort: null, remotePort: null, pid: null, process: null, user: null })
const low = buildSocket({ id: 'low', localPort: 80, process: 'curl', user: 'alice' })
const high = buildSocket({ id: 'high', localPort: 50_000, process: 'node', user: 'root' })

describe('compareSockets', () => {
  it('sorts blanks last ascending and descending', () => {
    const sockets = [unix, high, low]
    for (const key of ['localPort', 'process', 'user'] as const) {
      expect([...sockets].sort((a, b) => compareSockets(a, b, key)).map((socket) => socket.id)).toEqual(['low', 'high', 'unix'])
      expect([...sockets].sort((a, b) => compareSockets(a, b, key, true)).map((socket) => socket.id)).toEqual(['high', 'low', 'unix'])
    }
  })

  it('breaks ties by id so the order is stable', () => {
    const first = buildSocket({ id: 'a', localPort: 1 })
    const second = buildSocket({ id: 'b', localPort: 1 })
    expect(compareSockets(first, second, 'localPort')).toBeLessThan(0)
    expect(compareSockets(first, second, 'localPort', true)).toBeLessThan(0)
  })
})
