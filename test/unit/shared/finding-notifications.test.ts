import { describe, expect, it } from 'vitest'
import type { Finding } from '../../../shared/model/finding'
import { FindingNotificationThrottle } from '../../../shared/finding-notifications'
import { buildFinding } from '../../support/finding-builder'

function finding(id: string, title = `title ${id}`): Finding {
  return buildFinding({ id, title })
}

const on = { notify: true, notifyMinimumIntervalSeconds: 30 }

describe('FindingNotificationThrottle', () => {
  it('shows the first finding at once, with its first sentence', () => {
    const throttle = new FindingNotificationThrottle()
    expect(throttle.offer([finding('a', 'app leaks')], 1000, on)).toEqual({ title: 'app leaks', body: 'First sentence.', findingIds: ['a'] })
  })

  it('holds later ones back for the interval, then sums them up in one', () => {
    const throttle = new FindingNotificationThrottle()
    throttle.offer([finding('a')], 0, on)
    expect(throttle.offer([finding('b')], 10_000, on)).toBeNull()
    expect(throttle.offer([finding('c')], 20_000, on)).toBeNull()
    expect(throttle.hasWaiting()).toBe(true)
    const summary = throttle.offer([], 30_000, on)
    expect(summary?.title).toBe('sockscope: 2 new findings')
    expect(summary?.body).toBe('• title b\n• title c')
    expect(throttle.hasWaiting()).toBe(false)
  })

  it('drops findings that cleared while waiting, and everything when turned off', () => {
    const throttle = new FindingNotificationThrottle()
    throttle.offer([finding('a')], 0, on)
    throttle.offer([finding('b')], 1000, on)
    throttle.withdraw(['b'])
    expect(throttle.offer([], 60_000, on)).toBeNull()
    expect(throttle.offer([finding('c')], 120_000, { ...on, notify: false })).toBeNull()
    expect(throttle.offer([], 180_000, on)).toBeNull()
  })

  it('lists at most four findings and counts the rest', () => {
    const throttle = new FindingNotificationThrottle()
    const summary = throttle.offer(
      ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => finding(id)),
      0,
      on
    )
    expect(summary?.body.split('\n')).toHaveLength(5)
    expect(summary?.body).toContain('and 2 more')
  })
})
