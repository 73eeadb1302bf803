/**
 * The Exposure tab in Chromium against the real backend in web mode: a listener the test opens on
 * every address shows as reachable from every interface with its warning, and its process gets a
 * card on the Processes tab. Nothing is probed: TLS stays off unless ticked.
 */
import { expect, test } from '@playwright/test'
import { startTcpServer } from '../support/loopback-servers'
import { appUrl, showView } from './support/app'

test('a listener on every address shows its reach and warning, and a card on the Processes tab', async ({ page }) => {
  // The audit does not need the socket table: on a machine with tens of thousands of sockets the
  // table's first read can take long, so the view is opened without waiting for it.
  test.setTimeout(120_000)
  const server = await startTcpServer(() => undefined, '0.0.0.0')
  try {
    await page.goto(appUrl())
    await showView(page, 'exposure')
    await expect(page.getByTestId('audit-probe-tls')).not.toBeChecked()
    await page.getByTestId('audit-run').click()
    const row = page.locator(`[data-testid="exposure-listener"][data-port="${server.port}"]`)
    await expect(row).toHaveAttribute('data-reach', 'all')
    await expect(row).toContainText(`tcp 0.0.0.0:${server.port}`)
    await expect(row).toContainText(String(process.pid))
    await expect(row.getByTestId('exposure-warning')).toContainText('is reachable from every network interface and no reason is given')
    await expect(row.getByTestId('exposure-tls')).toHaveText('')
    expect(server.accepted).toHaveLength(0)

    await showView(page, 'processes')
    const card = page.locator(`[data-testid="process-exposure-card"][data-pid="${process.pid}"]`)
    await expect(card).toContainText(`tcp 0.0.0.0:${server.port} · every interface`)
  } finally {
    await server.close()
  }
})
