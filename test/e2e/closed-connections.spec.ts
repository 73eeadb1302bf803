/**
 * The Closed connections view in Chromium against the real backend in web mode: connections this
 * test opens and closes appear with their final bytes, a held one with this process as its owner,
 * and the filter narrows the list to one connection's ends.
 */
import { expect, test } from '@playwright/test'
import { openKnownConnection, type KnownConnection } from '../support/netlink/loopback-connection'
import { openApp } from './support/app'

async function closeGracefully(connection: KnownConnection): Promise<void> {
  const closed = new Promise((resolve) => connection.client.once('close', resolve))
  connection.accepted.on('end', () => connection.accepted.end())
  connection.client.end()
  await closed
  await connection.close()
}

test('closed connections appear with their bytes and owner, and the filter narrows them', async ({ page }) => {
  await openApp(page)
  await page.getByRole('tablist', { name: 'Views' }).getByRole('tab', { name: 'Closed connections' }).click()
  await expect(page.getByTestId('events-summary')).toContainText('most recent closed TCP connections')

  // One held long enough for the backend's polls (one a second) to see it, one of 20 ms.
  const held = await openKnownConnection(10, 20)
  const quick = await openKnownConnection(300, 700)
  await new Promise((resolve) => setTimeout(resolve, 20))
  await closeGracefully(quick)
  await new Promise((resolve) => setTimeout(resolve, 2_500))
  await closeGracefully(held)

  const filter = page.getByTestId('filter-input')
  await filter.fill(`lport:${quick.clientPort} rport:${quick.serverPort}`)
  const quickClient = page.locator('.closed-row[data-local-port]')
  await expect(quickClient).toHaveCount(1)
  await expect(quickClient.getByTestId('closed-bytes')).toHaveText('300 B out, 701 B in')

  await filter.fill(`port:${held.serverPort}`)
  const heldEnds = page.locator('.closed-row[data-local-port]')
  await expect(heldEnds).toHaveCount(2)
  for (const owner of await heldEnds.getByTestId('closed-owner').allTextContents()) expect(owner).toContain(`(${process.pid})`)
  await expect(page.getByTestId('events-lost')).toHaveText(/^\d+ lost$/)

  await filter.fill('prot:tcp')
  await expect(page.getByTestId('filter-error')).toContainText('did you mean "proto"')
})
