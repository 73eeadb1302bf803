/**
 * When the backend goes away, the page says so instead of showing a stale table as if it were live.
 * This test runs its own `sockscope serve`, so stopping it leaves the shared one alone.
 */
import { expect, test } from '@playwright/test'
import { startServe } from './support/serve-process'

test('a lost backend shows the connection banner', async ({ page }) => {
  const server = await startServe('--no-resolve')
  await page.goto(server.url)
  await expect(page.getByTestId('socket-table').locator('.socket-row').first()).toBeVisible()
  const banner = page.getByTestId('connection-lost')
  await expect(banner).toHaveCount(0)
  await server.stop()
  await expect(banner).toBeVisible()
  await expect(banner).toHaveText(/Connection to sockscope lost/)
})
