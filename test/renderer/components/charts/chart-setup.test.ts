/** The Chart.js plumbing's clock labels and its redraw queue. */
import { describe, expect, it } from 'vitest'
import { formatClock, queueChartRedraw } from '../../../../renderer/src/components/charts/chart-setup'

const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0))

describe('formatClock', () => {
  it('writes a time as toLocaleTimeString does, with one formatter made once', () => {
    for (const time of [0, Date.UTC(2026, 0, 1, 0, 0, 0), Date.UTC(2026, 5, 30, 12, 5, 9), Date.UTC(2026, 11, 31, 23, 59, 59, 999), Date.now()]) {
      expect(formatClock(time)).toBe(new Date(time).toLocaleTimeString(undefined, { hour12: false }))
    }
  })
})

describe('queueChartRedraw', () => {
  it('redraws one chart per task, in the order asked, and only the newest redraw of each', async () => {
    const ran: string[] = []
    const first = {}
    const second = {}
    queueChartRedraw(first, () => ran.push('first, old'))
    queueChartRedraw(second, () => ran.push('second'))
    queueChartRedraw(first, () => ran.push('first, new'))
    expect(ran).toEqual([])
    await nextTask()
    expect(ran).toEqual(['first, new'])
    await nextTask()
    expect(ran).toEqual(['first, new', 'second'])
    await nextTask()
    expect(ran).toEqual(['first, new', 'second'])
  })

  it('goes on with the next chart when a redraw throws', async () => {
    const ran: string[] = []
    queueChartRedraw({}, () => {
      throw new Error('gone')
    })
    queueChartRedraw({}, () => ran.push('next'))
    const errors: unknown[] = []
    const onError = (error: unknown) => errors.push(error)
    process.on('uncaughtException', onError)
    try {
      await nextTask()
      await nextTask()
    } finally {
      process.off('uncaughtException', onError)
    }
    expect(ran).toEqual(['next'])
    expect(errors).toHaveLength(1)
  })
})
