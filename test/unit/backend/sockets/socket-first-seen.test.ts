/** First sightings: sockets of the first read are marked open before the start, later ones at the tick that added them. */
import { describe, expect, it } from 'vitest'
import { SocketFirstSeen } from '../../../../electron/backend/sockets/socket-first-seen'
import { buildSocket } from '../../../support/socket-builder'

describe('SocketFirstSeen', () => {
  it('keeps the first tick that listed a socket, and forgets it once gone', () => {
    let listener: ((diff: { added: never[]; removed: string[] }, snapshot: { takenAt: number; sockets: unknown[] }) => void) | null = null
    const firstSeen = new SocketFirstSeen({
      onTick: (callback) => {
        listener = callback as never
        return () => (listener = null)
      }
    })
    const old = buildSocket({ inode: 1 })
    const fresh = buildSocket({ inode: 2 })
    firstSeen.apply({ added: [old], removed: [] }, { takenAt: 1000, sockets: [old] })
    firstSeen.apply({ added: [fresh], removed: [] }, { takenAt: 2000, sockets: [old, fresh] })
    firstSeen.apply({ added: [], removed: [] }, { takenAt: 3000, sockets: [old, fresh] })
    expect(firstSeen.get(old.id)).toEqual({ at: 1000, openBeforeStart: true })
    expect(firstSeen.get(fresh.id)).toEqual({ at: 2000, openBeforeStart: false })
    firstSeen.apply({ added: [], removed: [old.id] }, { takenAt: 4000, sockets: [fresh] })
    expect(firstSeen.get(old.id)).toBeUndefined()
    expect(firstSeen.size).toBe(1)
    firstSeen.dispose()
    expect(listener).toBeNull()
  })
})
