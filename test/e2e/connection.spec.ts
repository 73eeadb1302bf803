/**
 * When the backend goes away, the page says so instead of showing a stale table as if it were live.
 * This test runs its own `sockscope serve`, so stopping it leaves the shared one alone.
 */
import { spawn } from 'node:child_process'
import { expect, test } from '@playwright/test'
import { BUILT_CLI } from '../support/built-cli'

test('a lost backend shows the connection banner', async ({ page }) => {
  const server = spawn(process.execPath, [BUILT_CLI, 'serve', '--port', '0', '--no-resolve'], { stdio: ['ignore', 'pipe', 'inherit'] })
  const url = await new Promise<string>((resolve) => {
    server.stdout.on('data', (chunk: Buffer) => {
      const match = /sockscope web UI: (\S+)/.exec(chunk.toString())
      if (match) resolve(match[1])
    })
  })
  await page.goto(url)
  await expect(page.getByTestId('socket-table').locator('.socket-row').first()).toBeVisible()
  const banner = page.getByTestId('connection-lost')
  await expect(banner).toHaveCount(0)
  server.kill('SIGTERM')
  await expect(banner).toBeVisible()
  await expect(banner).toHaveText(/Connection to sockscope lost/)
})
