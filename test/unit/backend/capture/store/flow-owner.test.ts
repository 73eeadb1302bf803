/**
 * The owners of conversations, one per flow: the first found keeps it unless it was a guess and
 * a confirmed one turns up, and a process that owns a million flows is stored once.
 */
import { describe, expect, it } from 'vitest'
import { FlowOwners, ownerFromComment, type FlowOwner } from '../../../../../electron/backend/capture/store/flow-owner'

const owner = (pid: number, side: 'a' | 'b', confirmed: boolean): FlowOwner => ({ pid, process: `p${pid}`, comment: `p${pid} (pid ${pid})`, side, confirmed })

describe('flow owners', () => {
  it('keeps the first guess against later guesses, gives way to a confirmed owner, and then keeps that', () => {
    const owners = new FlowOwners()
    expect(owners.get(3)).toBeNull()
    owners.offer(3, owner(1, 'a', false))
    owners.offer(3, owner(2, 'b', false))
    expect(owners.get(3)).toEqual(owner(1, 'a', false))
    expect(owners.confirmed(3)).toBe(false)
    owners.offer(3, owner(2, 'b', true))
    expect(owners.get(3)).toEqual(owner(2, 'b', true))
    owners.offer(3, owner(5, 'a', true))
    expect(owners.get(3)).toEqual(owner(2, 'b', true))
    expect(owners.confirmed(3)).toBe(true)
    expect(owners.get(2)).toBeNull()
    expect(owners.get(-1)).toBeNull()
  })

  it('keeps each flow its own side while the process is stored once', () => {
    const owners = new FlowOwners()
    for (let flow = 0; flow < 100_000; flow++) owners.offer(flow, ownerFromComment('nginx (pid 80)'))
    owners.offer(100_000, { ...ownerFromComment('nginx (pid 80)'), side: 'b' })
    expect(owners.get(0)).toEqual({ pid: 80, process: 'nginx', comment: 'nginx (pid 80)', side: 'a', confirmed: false })
    expect(owners.get(99_999)).toBe(owners.get(0))
    expect(owners.get(100_000)).toMatchObject({ pid: 80, side: 'b' })
  })
})
