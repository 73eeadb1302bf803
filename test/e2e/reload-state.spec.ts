/**
 * What a reload brings back: the capture form shows the capture that really runs, the display
 * filter box the filter the backend really applies, and an opened recording comes back at the
 * moment the page showed, with the comparison it had. Each test runs its own `sockscope serve`,
 * so its capture and recording touch nothing the shared server shows.
 */
import { expect, test, type Page } from '@playwright/test'
import { startServe, type ServeProcess } from './support/serve-process'
import { fromStore } from './support/page-state'

async function openLive(page: Page, server: ServeProcess): Promise<void> {
  await page.goto(server.url)
  await expect(page.getByTestId('socket-table').locator('.socket-row[data-socket-id]').first()).toBeVisible({ timeout: 30_000 })
}

async function withServer(body: (server: ServeProcess) => Promise<void>, ...args: string[]): Promise<void> {
  const server = await startServe('--no-resolve', ...args)
  try {
    await body(server)
  } finally {
    await server.stop()
  }
}

test('after a reload the capture form and the display filter show what runs and what is applied', async ({ page }) => {
  await withServer(async (server) => {
    await openLive(page, server)
    await page.locator('.tab[data-view="capture"]').click()
    await page.getByTestId('capture-interface').selectOption('lo')
    await page.getByTestId('capture-filter').fill('tcp port 9')
    const snaplen = page.getByTestId('capture-snaplen')
    await snaplen.fill('1500')
    await snaplen.dispatchEvent('change')
    await page.getByTestId('capture-start').click()
    await expect.poll(() => fromStore<string | null>(page, 'capture', 'store.captureStatus?.state ?? null')).toBe('running')
    await page.getByTestId('display-filter').locator('input').fill('proto:udp')
    await expect.poll(() => fromStore<string>(page, 'capture-packets', 'store.view?.filter ?? ""')).toBe('proto:udp')

    await page.reload()
    await page.locator('.tab[data-view="capture"]').click()
    await expect(page.getByTestId('capture-filter')).toHaveValue('tcp port 9')
    await expect(page.getByTestId('capture-interface')).toHaveValue('lo')
    await expect(page.getByTestId('capture-snaplen')).toHaveValue('1500')
    await expect(page.getByTestId('display-filter').locator('input')).toHaveValue('proto:udp')
    await page.getByTestId('capture-stop').click()
    await expect.poll(() => fromStore<string | null>(page, 'capture', 'store.captureStatus?.state ?? null')).not.toBe('running')
  })
})

test('after a reload an opened recording comes back at the same moment with its comparison', async ({ page }) => {
  // Every table of the recording holds the whole machine's sockets: reading one back takes a while on a busy machine.
  test.setTimeout(180_000)
  await withServer(
    async (server) => {
      await openLive(page, server)
      await page.locator('.tab[data-view="charts"]').click()
      await page.getByTestId('record-start').click()
      await expect.poll(() => fromStore<number>(page, 'recording', 'store.status?.ticks ?? 0'), { timeout: 40_000 }).toBeGreaterThanOrEqual(4)
      await page.getByTestId('record-stop').click()
      await expect.poll(() => fromStore<string>(page, 'recording', 'store.files[0]?.name ?? ""')).toMatch(/\.sockscope\.gz$/)
      const name = await fromStore<string>(page, 'recording', 'store.files[0].name')
      await page.getByTestId('recording-choice').selectOption(name)
      await page.getByTestId('recording-open').click()
      await expect.poll(() => fromStore<number>(page, 'recording', 'store.moment?.sockets.length ?? 0'), { timeout: 60_000 }).toBeGreaterThan(0)
      // A moment in the middle, marked as the comparison's start: neither the recording's start nor its end.
      const [start, end] = await fromStore<[number, number]>(page, 'recording', '[store.opened.start, store.opened.end]')
      const middle = Math.round((start + end) / 2)
      await fromStore(page, 'recording', `store.scrubTo(${middle})`)
      await fromStore(page, 'recording', `store.markDiffPoint('from')`)
      const before = await page.getByTestId('diff-compare').textContent()
      const shownTime = await page.getByTestId('scrub-time').textContent()
      expect(before).not.toContain('?')

      await page.reload()
      await page.locator('.tab[data-view="charts"]').click()
      await expect(page.getByTestId('time-travel')).toBeVisible()
      await expect.poll(() => fromStore<number | null>(page, 'recording', 'store.scrubTime'), { timeout: 60_000 }).toBe(middle)
      await expect.poll(() => fromStore<number>(page, 'recording', 'store.moment?.sockets.length ?? 0'), { timeout: 60_000 }).toBeGreaterThan(0)
      await expect(page.getByTestId('scrub-time')).toHaveText(shownTime ?? '')
      await expect(page.getByTestId('diff-compare')).toHaveText(before ?? '')
      await expect.poll(() => fromStore<string | null>(page, 'history', 'store?.source ?? null')).toBe('recording')

      // Closed on the server (here through the store, as another page would), the page goes back to live.
      await page.getByTestId('recording-close').click()
      await page.reload()
      await page.locator('.tab[data-view="charts"]').click()
      await expect(page.getByTestId('time-travel')).toHaveCount(0)
      await expect.poll(() => fromStore<string | null>(page, 'history', 'store?.source ?? null')).toBe('live')
    },
    '--interval',
    '500'
  )
})
