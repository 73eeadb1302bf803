/**
 * Web mode when the server goes away: the page says what happened and what to do, keeps every tab
 * usable, and never passes old data off as live. Each test runs its own `sockscope serve`, so
 * stopping it leaves the shared one alone.
 */
import { expect, test, type Page } from '@playwright/test'
import { createServer } from 'node:net'
import { startServe, type ServeProcess } from './support/serve-process'

/** A loopback port nothing listens on right now, so a restarted server can take the same one. */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

async function openLive(page: Page, server: ServeProcess): Promise<void> {
  await page.goto(server.url)
  // A row of data, not the header row.
  await expect(page.getByTestId('socket-table').locator('.socket-row[data-socket-id]').first()).toBeVisible({ timeout: 30_000 })
}

/** Runs `body` with a server of its own, stopped afterwards whatever happens (stopping twice is fine). */
async function withServer(body: (server: ServeProcess) => Promise<void>, ...args: string[]): Promise<void> {
  const server = await startServe('--no-resolve', ...args)
  try {
    await body(server)
  } finally {
    await server.stop()
  }
}

/** Counts the page's attempts to reach the API (WebSocket opens and the refusal check). */
function countApiAttempts(page: Page): { readonly count: number } {
  const counter = { count: 0 }
  page.on('websocket', () => counter.count++)
  page.on('request', (request) => {
    if (new URL(request.url()).pathname.startsWith('/api')) counter.count++
  })
  return counter
}

test('a page whose server restarted with a new token says so, names the new address, and stops retrying', async ({ page }) => {
  const port = await freePort()
  await withServer(
    async (first) => {
      await openLive(page, first)
      await first.stop()
      await expect(page.getByTestId('connection-lost')).toBeVisible()
      await withServer(
        async () => {
          const notice = page.getByTestId('access-notice')
          await expect(notice).toHaveAttribute('data-refusal', 'server-restarted', { timeout: 20_000 })
          await expect(notice).toContainText('sockscope restarted')
          await expect(notice).toContainText('Open the new address that "sockscope serve" printed')
          const attempts = countApiAttempts(page)
          // Retries back off to at most 5 s apart: a page still retrying would try again within 6 s.
          await page.waitForTimeout(6_000)
          expect(attempts.count).toBe(0)
          await expect(notice).toHaveAttribute('data-refusal', 'server-restarted')
        },
        '--port',
        String(port)
      )
    },
    '--port',
    String(port)
  )
})

test('every tab opened only after the server stopped still shows its view', async ({ page }) => {
  await withServer(async (server) => {
    await openLive(page, server)
    // The views' code is fetched once the first table is in.
    await expect(page.locator('.app-shell')).toHaveAttribute('data-views-loaded', 'true')
    await server.stop()
    await expect(page.getByTestId('connection-lost')).toBeVisible()
    const shown: Array<[string, string]> = [
      ['processes', '.processes-view'],
      ['closed', '.closed-view'],
      ['capture', '[data-testid="capture-view"]'],
      ['probe', '[data-testid="probe-view"]'],
      ['charts', '[data-testid="charts-view"]']
    ]
    for (const [view, selector] of shown) {
      await page.locator(`.tab[data-view="${view}"]`).click()
      await expect(page.locator(selector), view).toBeVisible()
    }
  })
})

test('a view whose code cannot be fetched says it is loading and appears once it can', async ({ page }) => {
  await withServer(async (server) => {
    let blocked = true
    await page.route(/\/assets\/ChartsView-[^/]*\.js$/, (route) => (blocked ? route.abort() : route.continue()))
    await openLive(page, server)
    await page.locator('.tab[data-view="charts"]').click()
    await expect(page.getByTestId('view-loading')).toContainText('Loading this view')
    await expect(page.getByTestId('charts-view')).toHaveCount(0)
    blocked = false
    await expect(page.getByTestId('charts-view')).toBeVisible({ timeout: 10_000 })
    await expect(page.getByTestId('view-loading')).toHaveCount(0)
  })
})

test('while disconnected the data is greyed out and the banner says how old it is', async ({ page }) => {
  await withServer(async (server) => {
    await openLive(page, server)
    const viewArea = page.getByTestId('view-area')
    expect(await viewArea.evaluate((element) => getComputedStyle(element).filter)).toBe('none')
    await server.stop()
    const age = page.getByTestId('data-age')
    await expect(age).toHaveText(/The data shown is \d+ s old \(received .+\)/)
    expect(await viewArea.evaluate((element) => getComputedStyle(element).filter)).toBe('grayscale(1)')
    const seconds = async (): Promise<number> => Number(/(\d+) s old/.exec((await age.textContent()) ?? '')?.[1])
    const before = await seconds()
    // The age counts up while the page waits: two seconds later it reads at least one more.
    await page.waitForTimeout(2_000)
    expect(await seconds()).toBeGreaterThanOrEqual(before + 1)
    // The restart hint waits until the server has been silent for 10 s.
    await expect(page.getByTestId('restart-hint')).toHaveCount(0)
    await expect(page.getByTestId('restart-hint')).toContainText('open the new address that "sockscope serve" printed', { timeout: 15_000 })
    expect(await seconds()).toBeGreaterThanOrEqual(10)
  })
})
