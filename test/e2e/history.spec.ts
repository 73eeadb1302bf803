/**
 * The Charts view in Chromium against the real backend in web mode: the state chart draws
 * live data, clicking a process's bar filters the socket table to it, a leaking program shows
 * up as a finding, and a recording made from the UI reopens for time travel.
 */
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { DEFAULT_LEAK_SETTINGS } from '../../shared/leak-settings'
import { openApp, showView } from './support/app'
import { README_SCREENSHOT, saveScreenshot } from './support/screenshots'
import { canvasHasInk, fromStore } from './support/page-state'
import { startProgram, stopPrograms } from '../support/test-programs'

test.afterEach(async () => {
  await stopPrograms()
})

test('the state chart draws the live history; screenshot for the README', README_SCREENSHOT, async ({ page }) => {
  const steady = await startProgram('steady-server.js', ['60'])
  await openApp(page)
  await showView(page, 'charts')
  await expect(page.getByTestId('charts-view')).toBeVisible()
  await expect.poll(() => fromStore<number>(page, 'history', 'store.stateLines.reduce((sum, line) => sum + line.points.length, 0)')).toBeGreaterThan(2)
  const states = await fromStore<string[]>(page, 'history', 'store.stateLines.map((line) => line.label)')
  expect(states).toContain('ESTABLISHED')
  await expect.poll(() => canvasHasInk(page, '[data-testid="state-chart"] canvas')).toBe(true)
  await expect.poll(() => canvasHasInk(page, '[data-testid="process-chart"] canvas')).toBe(true)
  await expect(page.locator(`[data-testid="fd-gauge"][data-pid="${steady.pid}"]`)).toBeVisible()
  await saveScreenshot(page, 'charts')
})

test('clicking a process bar filters the socket table to it', async ({ page }) => {
  const steady = await startProgram('steady-server.js', ['150'])
  await openApp(page)
  await showView(page, 'charts')
  const chart = page.getByTestId('ports-chart')
  await expect.poll(async () => JSON.parse((await chart.getAttribute('data-bars')) ?? '[]').some((bar: { pid: number }) => bar.pid === steady.pid)).toBe(true)
  const bars = JSON.parse((await chart.getAttribute('data-bars')) ?? '[]') as Array<{ pid: number; x: number; y: number }>
  const bar = bars.find((entry) => entry.pid === steady.pid)!
  await chart.locator('canvas').click({ position: { x: bar.x, y: bar.y } })
  await expect(page.locator('.tab[data-view="sockets"]')).toHaveAttribute('aria-selected', 'true')
  await expect(page.getByTestId('filter-input')).toHaveValue(`pid:${steady.pid}`)
  const rows = page.locator('.socket-row[data-socket-id]')
  await expect(rows.first()).toBeVisible()
  const shown = await fromStore<number>(page, 'sockets', 'store.visibleRows.length')
  expect(shown).toBeGreaterThan(100)
  // A socket counts as the process's when it is among the owners (its stdout pipe is shared with this test).
  const foreign = await fromStore<number>(page, 'sockets', `store.visibleRows.filter((row) => !row.socket.owners.some((owner) => owner.pid === ${steady.pid})).length`)
  expect(foreign).toBe(0)
})

test('a leaking program shows up as a finding; screenshot for the README', README_SCREENSHOT, async ({ page }) => {
  await openApp(page)
  await showView(page, 'charts')
  // Thresholds scaled from minutes to seconds, through the same store the settings form uses.
  await expect.poll(() => fromStore<boolean>(page, 'leaks', 'store.settings !== null')).toBe(true)
  await fromStore(
    page,
    'leaks',
    'store.updateSettings({ raiseAfterSeconds: 1, closeWaitMinimumAgeSeconds: 2, growthWindowSeconds: 10, growthMinimumDurationSeconds: 3, growthMinimumSlopePerMinute: 6 })'
  )
  try {
    const server = await startProgram('closing-server.js')
    const leaky = await startProgram('leaky-client.js', [String(server.ready.port), '100', '1000'])
    const finding = page.locator(`[data-testid="finding"][data-pid="${leaky.pid}"][data-kind="close-wait"]`)
    await expect(finding).toBeVisible({ timeout: 30_000 })
    await expect(finding).toContainText('never called close()')
    await expect(finding).toContainText(`127.0.0.1:${server.ready.port}`)
    await expect(page.locator(`[data-testid="finding"][data-pid="${leaky.pid}"][data-kind="growth"]`)).toBeVisible({ timeout: 30_000 })
    await saveScreenshot(page, 'findings')
    await finding.getByRole('button', { name: 'Show sockets' }).click()
    await expect(page.getByTestId('filter-input')).toHaveValue(`pid:${leaky.pid} state:close_wait`)
  } finally {
    await fromStore(page, 'leaks', `store.updateSettings(${JSON.stringify(DEFAULT_LEAK_SETTINGS)})`)
  }
})

test('a recording made in the app reopens for time travel', async ({ page }) => {
  await openApp(page)
  await showView(page, 'charts')
  // The panel says where recordings go: the server's own data folder, made for this run.
  const recordings = join(process.env.SOCKSCOPE_E2E_DATA_DIR ?? '', 'recordings')
  await expect(page.getByTestId('recording-folder')).toHaveText(`Saved in ${recordings}`)
  await page.getByTestId('record-start').click()
  await expect(page.getByTestId('record-stop')).toBeVisible()
  const server = await startProgram('closing-server.js')
  await startProgram('leaky-client.js', [String(server.ready.port), '100', '30'])
  await expect.poll(() => fromStore<number>(page, 'recording', 'store.status?.ticks ?? 0'), { timeout: 20_000 }).toBeGreaterThanOrEqual(5)
  await page.getByTestId('record-stop').click()
  await expect(page.getByTestId('record-start')).toBeVisible()

  await expect.poll(() => fromStore<string>(page, 'recording', 'store.files[0]?.name ?? ""')).toMatch(/\.sockscope\.gz$/)
  const name = await fromStore<string>(page, 'recording', 'store.files[0].name')
  expect((await stat(join(recordings, name))).mode & 0o777).toBe(0o600)
  await page.getByTestId('recording-choice').selectOption(name)
  await page.getByTestId('recording-open').click()
  await expect(page.getByTestId('time-travel')).toBeVisible()
  await expect.poll(() => fromStore<number>(page, 'recording', 'store.moment?.sockets.length ?? 0')).toBeGreaterThan(0)
  await expect(page.locator('[data-testid="time-travel"] .socket-row[data-socket-id]').first()).toBeVisible()

  await page.getByTestId('diff-compare').click()
  await expect(page.getByTestId('diff-summary')).toContainText(/\d+ opened, \d+ closed, \d+ changed/)
  const opened = await fromStore<number>(page, 'recording', 'store.diff?.opened.length ?? -1')
  expect(opened).toBeGreaterThan(0)
  await page.getByTestId('recording-close').click()
  await expect(page.getByTestId('time-travel')).toHaveCount(0)
})
