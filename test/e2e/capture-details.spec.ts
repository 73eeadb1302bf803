/**
 * Details of the Capture view in Chromium against the real backend: "Expand all" reaches every
 * depth of the packet details, a live capture's standing caveats sit behind an info button, and
 * throughput on loopback tells in from out.
 */
import { resolve } from 'node:path'
import { expect, test } from '@playwright/test'
import { openLoopbackPeers, tcpExchange } from '../integration/backend/capture/live-traffic'
import { openApp, showView } from './support/app'
import { fromStore } from './support/page-state'

/** Recorded loopback traffic; its packet 29 is a DNS query, whose question holds fields of its own. */
const loopbackFixture = resolve(__dirname, '../fixtures/capture/loopback.pcapng')
const DNS_QUERY_INDEX = 28

test.describe.configure({ mode: 'serial' })

// The display filter is held by the backend, which every spec shares: leave it empty for the next one.
test.afterEach(async ({ page }) => {
  await page.getByTestId('filter-input').fill('')
  await expect.poll(() => fromStore<string | null>(page, 'capture-packets', 'store.view?.filter ?? null')).toBe('')
})

test('"Expand all" opens the packet details at every depth and "Collapse all" shuts them', async ({ page }) => {
  await openApp(page)
  await showView(page, 'capture')
  await page.getByTestId('import-input').setInputFiles(loopbackFixture)
  await expect(page.getByTestId('capture-state')).toHaveText(/file/i)
  // The list follows its tail; the filter brings the DNS query into view.
  await page.getByTestId('filter-input').fill('proto:dns')
  await page.locator(`[data-testid="packet-list"] .packet-row[data-packet-index="${DNS_QUERY_INDEX}"]`).click()
  const tree = page.getByTestId('decoded-tree')
  await expect(tree.locator('[data-layer="dns"]')).toBeVisible()
  // Three levels inside the DNS layer: Queries › the question › its name.
  const question = tree.locator('[data-field="dns.qry"]')
  const questionName = tree.locator('[data-field="dns.qry.name"]')
  await expect(questionName).toHaveCount(0)

  await page.getByTestId('details-expand-all').click()
  await expect(question).toBeVisible()
  await expect(questionName).toBeVisible()
  await expect(questionName).toContainText('www.sockscope.test')
  await expect(tree.locator('[data-field="ip.flags.df"]')).toBeVisible()

  await page.getByTestId('details-collapse-all').click()
  await expect(tree.locator('[data-field="dns.qry"]')).toHaveCount(0)
  await expect(tree.locator('[data-field="ip.flags"]')).toHaveCount(0)
})

test("a live capture's standing caveats sit behind an info button that shows them on a click", async ({ page }) => {
  await openApp(page)
  await showView(page, 'capture')
  await page.getByTestId('capture-interface').selectOption('lo')
  // A port nothing uses: the capture starts and stops without traffic.
  await page.getByTestId('capture-filter').fill('udp port 9')
  await page.getByTestId('capture-start').click()
  await expect(page.getByTestId('capture-state')).toHaveText(/capturing/i)
  await page.getByTestId('capture-stop').click()
  await expect(page.getByTestId('capture-state')).toHaveText(/stopped/i)

  const button = page.getByTestId('capture-caveats')
  await expect(button).toBeVisible()
  await expect(button).toHaveAttribute('title', /timestamps are taken when the helper receives each packet/)
  await expect(page.getByTestId('capture-strip')).not.toContainText('timestamps are taken')
  await expect(page.getByTestId('capture-caveat')).toHaveCount(0)
  await button.click()
  await expect(page.getByTestId('capture-caveat').filter({ hasText: 'timestamps are taken when the helper receives each packet' })).toBeVisible()
  await button.click()
  await expect(page.getByTestId('capture-caveat')).toHaveCount(0)
})

test('throughput on lo tells in from out: what the client sent is out, the replies are in', async ({ page }) => {
  test.setTimeout(120_000)
  const peers = await openLoopbackPeers()
  try {
    await openApp(page)
    await showView(page, 'capture')
    await page.getByTestId('capture-interface').selectOption('lo')
    await page.getByTestId('capture-filter').fill(`tcp port ${peers.port}`)
    await page.getByTestId('capture-start').click()
    await expect(page.getByTestId('capture-state')).toHaveText(/capturing/i)
    // Three writes of 1,000 bytes, each answered with one byte.
    await tcpExchange(peers.port, [1000, 1000, 1000])
    await page.getByTestId('capture-stop').click()
    await expect(page.getByTestId('capture-state')).toHaveText(/stopped/i)
    await page.locator('.panel-tabs [data-panel="throughput"]').click()
    const sums = () =>
      fromStore<{ bytesIn: number; bytesOut: number; packetsIn: number; packetsOut: number }>(
        page,
        'capture-panels',
        'store.throughput.reduce((sum, point) => ({ bytesIn: sum.bytesIn + point.bytesIn, bytesOut: sum.bytesOut + point.bytesOut, packetsIn: sum.packetsIn + point.packetsIn, packetsOut: sum.packetsOut + point.packetsOut }), { bytesIn: 0, bytesOut: 0, packetsIn: 0, packetsOut: 0 })'
      )
    // Handshake, three writes with their answers, and the close: at least 10 packets.
    await expect
      .poll(async () => {
        const sum = await sums()
        return sum.packetsIn + sum.packetsOut
      })
      .toBeGreaterThanOrEqual(10)
    const { bytesIn, bytesOut, packetsIn } = await sums()
    expect(packetsIn).toBeGreaterThanOrEqual(4)
    expect(bytesOut).toBeGreaterThanOrEqual(3000)
    expect(bytesIn).toBeGreaterThan(0)
    expect(bytesIn).toBeLessThan(bytesOut)
  } finally {
    await peers.close()
  }
})
