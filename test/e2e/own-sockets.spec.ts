/**
 * sockscope's own sockets are marked as sockscope's in the socket table, in Chromium against the
 * real backend: the web server's listener (this backend), an exporter started as another
 * sockscope process, and the capture helper the backend starts; a listener of another program
 * is not marked.
 */
import { expect, test, type Page } from '@playwright/test'
import { startExporter } from '../support/metrics-exporter'
import { startTcpServer } from '../support/loopback-servers'
import { appUrl, openApp, serverPid, showView } from './support/app'
import { fromStore } from './support/page-state'
import { listenerFilter, listenerRow } from './support/socket-rows'

/** The row of the listener on 127.0.0.1:port, once the table shows it. */
async function showListener(page: Page, port: number) {
  await page.getByTestId('filter-input').fill(listenerFilter(port))
  const row = listenerRow(page, port)
  await expect(row).toHaveCount(1)
  return row
}

test("the web server's and an exporter's listeners are marked as sockscope's; another program's is not", async ({ page }) => {
  const exporter = await startExporter()
  const other = await startTcpServer()
  try {
    await openApp(page)
    const web = await showListener(page, Number(new URL(appUrl()).port))
    await expect(web).toHaveAttribute('data-own', 'this')
    await expect(web.locator('[data-field="process"]')).toHaveAttribute('title', /^sockscope itself/)
    // The mark is drawn before the name, so the name itself reads as it always did.
    expect(await web.locator('[data-field="process"]').evaluate((cell) => getComputedStyle(cell, '::before').content)).toBe('"sockscope"')
    await expect(web.locator('[data-field="process"]')).toContainText(`(${serverPid()})`)

    const exporterRow = await showListener(page, exporter.port)
    await expect(exporterRow).toHaveAttribute('data-own', 'instance')
    await expect(exporterRow.locator('[data-field="process"]')).toHaveAttribute('title', /another sockscope process/)

    const otherRow = await showListener(page, other.port)
    await expect(otherRow).not.toHaveAttribute('data-own', /.*/)
    expect(await otherRow.locator('[data-field="process"]').evaluate((cell) => getComputedStyle(cell, '::before').content)).toBe('none')
  } finally {
    await other.close()
    await exporter.stop()
  }
})

test("the capture helper's sockets are marked as started by sockscope while it captures", async ({ page }) => {
  await openApp(page)
  await showView(page, 'capture')
  await page.getByTestId('capture-interface').selectOption('lo')
  await page.getByTestId('capture-filter').fill('udp port 9')
  await page.getByTestId('capture-start').click()
  await expect(page.getByTestId('capture-state')).toHaveText(/capturing/i)
  try {
    const helpers = () => fromStore<number[]>(page, 'processes', "[...store.own.values()].filter((process) => process.role === 'started').map((process) => process.pid)")
    await showView(page, 'sockets')
    await expect.poll(async () => (await helpers()).length).toBeGreaterThan(0)
    const [helper] = await helpers()
    await page.getByTestId('filter-input').fill(`pid:${helper}`)
    const rows = page.locator('.socket-row[data-socket-id]')
    await expect(rows.first()).toBeVisible()
    const marks = await rows.evaluateAll((each) => each.map((row) => row.getAttribute('data-own')))
    expect(marks.length).toBeGreaterThan(0)
    expect(marks.every((mark) => mark === 'started')).toBe(true)
  } finally {
    await showView(page, 'capture')
    await page.getByTestId('capture-stop').click()
    await expect(page.getByTestId('capture-state')).toHaveText(/stopped/i)
  }
})
