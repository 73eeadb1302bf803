/**
 * Long labels on the Charts tab stay readable, in Chromium against the real backend: an ephemeral
 * port destination's label wraps instead of hiding its port, and carries the whole text (with
 * the process that holds the ports) as its tooltip, in a window as narrow as 1000 pixels.
 */
import { expect, test } from '@playwright/test'
import { openApp, showView } from './support/app'
import { startProgram, stopPrograms } from '../support/test-programs'

test.use({ viewport: { width: 1000, height: 700 } })

test.afterEach(() => stopPrograms())

test('an ephemeral port destination and a gauge name show whole, wrapped, with their whole text as the tooltip', async ({ page }) => {
  // 300 clients in one process connect to its own listener from ephemeral ports, and stay; its
  // file limit puts it at the top of the fd gauges too.
  const steady = await startProgram('steady-server.js', ['300', '0'], { fileLimit: 700 })
  const port = Number(steady.ready.port)
  await openApp(page)
  await showView(page, 'charts')
  const label = page
    .getByTestId('ephemeral-gauge')
    .filter({ hasText: `:${port}` })
    .locator('.gauge-label')
  await expect(label).toHaveCount(1)
  const text = `tcp 127.0.0.1 → 127.0.0.1:${port}`
  await expect(label).toHaveText(text)
  await expect(label).toHaveAttribute('title', `${text} from node (${steady.pid}): 300 ephemeral ports`)
  // Nothing of it is cut: the label is as wide as its text needs, over as many lines as it takes.
  const { scrollWidth, clientWidth } = await label.evaluate((element) => ({ scrollWidth: element.scrollWidth, clientWidth: element.clientWidth }))
  expect(scrollWidth).toBeLessThanOrEqual(clientWidth)

  const name = page.locator(`[data-testid="fd-gauge"][data-pid="${steady.pid}"] .gauge-label`)
  await expect(name).toHaveText(`node (${steady.pid})`)
  await expect(name).toHaveAttribute('title', `node (${steady.pid})`)
})
