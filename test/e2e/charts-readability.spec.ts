/**
 * The Charts tab reads well, in Chromium against the real backend in web mode: the port lookup
 * table says what its columns are, and each process keeps one colour in the per-process chart.
 */
import { expect, test } from '@playwright/test'
import { startTcpServer } from '../support/loopback-servers'
import { openApp, showView } from './support/app'
import { fromStore } from './support/page-state'
import { startProgram, stopPrograms } from '../support/test-programs'

test('the port lookup table has headers, and cut-off cells carry their whole text', async ({ page }) => {
  const server = await startTcpServer()
  try {
    await openApp(page)
    await showView(page, 'charts')
    await page.getByTestId('port-map-input').fill(String(server.port))
    const table = page.getByTestId('port-map-table')
    await expect(table.locator('thead th')).toHaveText(['Process', 'Protocol', 'State', 'Remote end'])
    await expect(table.locator('tbody tr').first().locator('td').first()).toHaveAttribute('title', /node/)
  } finally {
    await server.close()
  }
})

test('each process keeps its colour in the per-process chart from tick to tick', async ({ page }) => {
  const servers = await Promise.all(Array.from({ length: 3 }, () => startTcpServer()))
  try {
    await openApp(page)
    await showView(page, 'charts')
    await expect(page.getByTestId('charts-view')).toBeVisible()
    const colours = () => fromStore<Array<[number, string]>>(page, 'history', 'store.processLines.map((line) => [line.pid, line.color])')
    await expect.poll(async () => (await colours()).length).toBeGreaterThan(1)
    const first = new Map(await colours())
    // Distinct processes, distinct colours.
    expect(new Set(first.values()).size).toBe(first.size)
    await page.waitForTimeout(3000)
    for (const [pid, colour] of await colours()) if (first.has(pid)) expect(colour, `pid ${pid}`).toBe(first.get(pid))
  } finally {
    for (const server of servers) await server.close()
  }
})

test('the time axis ticks at round times in every window', async ({ page }) => {
  await openApp(page)
  await showView(page, 'charts')
  const axis = page.locator('[data-testid="state-chart"] .chart-box')
  // Each window: the step its ticks must be a whole multiple of, in seconds.
  for (const [window, seconds] of [
    ['5m', 60],
    ['1h', 600]
  ] as const) {
    await page.locator(`[data-window="${window}"]`).click()
    await expect
      .poll(
        async () => {
          const labels = ((await axis.getAttribute('data-x-ticks')) ?? '').split(' ').filter((label) => label !== '')
          const ticks = labels.map((label) => label.split(':').map(Number)).map(([hours = 0, minutes = 0, secs = 0]) => hours * 3600 + minutes * 60 + secs)
          return ticks.length >= 3 && ticks.every((tick) => tick % seconds === 0)
        },
        { message: `${window} ticks on whole ${seconds} s` }
      )
      .toBe(true)
  }
})

test('"Ports per process" turns to a log scale when a listener sits next to hundreds of connections', async ({ page }) => {
  const steady = await startProgram('steady-server.js', ['300'])
  try {
    await openApp(page)
    await showView(page, 'charts')
    const chart = page.getByTestId('ports-chart')
    await expect.poll(async () => JSON.parse((await chart.getAttribute('data-bars')) ?? '[]').some((bar: { pid: number }) => bar.pid === steady.pid)).toBe(true)
    await expect(chart).toHaveAttribute('data-scale', 'logarithmic')
  } finally {
    await stopPrograms()
  }
})
