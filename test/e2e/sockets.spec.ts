/**
 * The live socket table in Chromium against the real backend in web mode: a listener the test
 * opens appears, the filter narrows to it, and closing it shows the closed highlight before
 * the row goes.
 */
import { expect, test } from '@playwright/test'
import { startTcpServer } from '../support/loopback-servers'
import { openKnownConnection } from '../support/netlink/loopback-connection'
import { openApp } from './support/app'
import { README_SCREENSHOT, saveScreenshot } from './support/screenshots'
import { listenerFilter, listenerRow } from './support/socket-rows'

test('a new listener appears, filters, and lingers in red after closing', async ({ page }) => {
  await openApp(page)
  const server = await startTcpServer()
  const port = server.port

  await page.getByTestId('filter-input').fill(listenerFilter(port))
  const row = listenerRow(page, port)
  await expect(row).toHaveCount(1)
  await expect(row).toContainText('LISTEN')
  await expect(row).toContainText(String(process.pid))
  await expect(page.getByTestId('visible-count')).toHaveText('1 shown')

  await server.close()
  await expect(row).toHaveAttribute('data-mark', 'closed')
  await expect(row).toHaveCount(0, { timeout: 20_000 })
})

test('a bad filter shows an inline error and keeps the table', async ({ page }) => {
  await openApp(page)
  await page.getByTestId('filter-input').fill('prot:tcp')
  await expect(page.getByTestId('filter-error')).toContainText('unknown field "prot"')
  await expect(page.getByTestId('filter-error')).toContainText('did you mean "proto"')
})

test('keyboard navigation selects rows and opens details; screenshot for the README', README_SCREENSHOT, async ({ page }) => {
  const servers = await Promise.all([startTcpServer(), startTcpServer(), startTcpServer()])
  await openApp(page)
  await page.getByTestId('filter-input').fill('proto:tcp')
  await page.getByTestId('socket-table').focus()
  await page.keyboard.press('ArrowDown')
  await page.keyboard.press('ArrowDown')
  await expect(page.getByTestId('socket-details')).toBeVisible()
  await expect(page.locator('.socket-row.selected')).toHaveCount(1)
  await page.getByTestId('filter-input').fill('')
  await saveScreenshot(page, 'sockets')
  await page.keyboard.press('Escape')
  for (const server of servers) await server.close()
})

test('a tall window fills with rows, and a narrow one scrolls header and rows sideways together', async ({ page }) => {
  const servers = await Promise.all(Array.from({ length: 80 }, () => startTcpServer()))
  await page.setViewportSize({ width: 1400, height: 1800 })
  await openApp(page)
  await page.getByTestId('filter-input').fill(`pid:${process.pid} state:listen`)
  await expect(page.getByTestId('visible-count')).toHaveText('80 shown')
  const table = page.getByTestId('socket-table')
  // Every row that fits under the header is in the DOM, not just the first screenful of a guess.
  const fitting = await table.evaluate((element) => Math.floor(element.clientHeight / 24) - 1)
  expect(fitting).toBeGreaterThan(60)
  await expect.poll(() => table.locator('.socket-row[data-socket-id]').count()).toBeGreaterThanOrEqual(fitting)

  await page.setViewportSize({ width: 900, height: 700 })
  await table.locator('.socket-row[data-socket-id]').first().click()
  await expect(page.getByTestId('socket-details')).toBeVisible()
  await table.evaluate((element) => (element.scrollLeft = element.scrollWidth))
  const headerCell = await table.locator('[data-sort="inode"]').boundingBox()
  const rowCell = await table.locator('.socket-row[data-socket-id]').first().locator('.cell').last().boundingBox()
  expect(headerCell?.x).toBeDefined()
  expect(Math.abs((headerCell?.x ?? 0) - (rowCell?.x ?? -1000))).toBeLessThan(1)
  for (const server of servers) await server.close()
})

test('End and Home select the last and first rows and scroll each fully into view below the header', async ({ page }) => {
  const servers = await Promise.all(Array.from({ length: 80 }, () => startTcpServer()))
  await page.setViewportSize({ width: 1400, height: 700 })
  await openApp(page)
  await page.getByTestId('filter-input').fill(`pid:${process.pid} state:listen`)
  await expect(page.getByTestId('visible-count')).toHaveText('80 shown')
  const table = page.getByTestId('socket-table')
  const rowsBox = async () => {
    const viewport = (await table.boundingBox())!
    const header = (await table.locator('.header-row').boundingBox())!
    return { top: header.y + header.height, bottom: viewport.y + viewport.height }
  }
  const fullyInView = async (row: ReturnType<typeof table.locator>) => {
    const box = (await row.boundingBox())!
    const area = await rowsBox()
    return box.y >= area.top - 0.5 && box.y + box.height <= area.bottom + 0.5
  }

  await table.focus()
  await page.keyboard.press('End')
  const selected = table.locator('.socket-row.selected')
  await expect(selected).toHaveAttribute('aria-rowindex', '81')
  await expect.poll(() => fullyInView(selected)).toBe(true)
  expect(await table.evaluate((element) => element.scrollTop)).toBeGreaterThan(0)

  await page.keyboard.press('Home')
  await expect(selected).toHaveAttribute('aria-rowindex', '2')
  await expect.poll(() => fullyInView(selected)).toBe(true)
  await page.keyboard.press('PageDown')
  const pageRows = Number(await selected.getAttribute('aria-rowindex')) - 2
  expect(pageRows).toBeGreaterThan(5)
  await expect.poll(() => fullyInView(selected)).toBe(true)
  for (const server of servers) await server.close()
})

test('the page loads without errors in the console', async ({ page }) => {
  const errors: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text())
  })
  page.on('pageerror', (error) => errors.push(error.message))
  await openApp(page)
  await expect(page.getByTestId('socket-count')).not.toHaveText(/^0 /)
  expect(errors).toEqual([])
})

test('a TCP connection shows its internals in the details pane, and the status bar names the reader', async ({ page }) => {
  await openApp(page)
  // The web server under test reads the tables the default way: netlink, as ss does.
  await expect(page.getByTestId('socket-reader')).toHaveText('via netlink')
  const connection = await openKnownConnection(1000, 3072)
  try {
    await page.getByTestId('filter-input').fill(`proto:tcp4 lport:${connection.clientPort} rport:${connection.serverPort}`)
    const row = page.locator(`.socket-row[data-socket-id^="tcp4 127.0.0.1|${connection.clientPort} 127.0.0.1|${connection.serverPort} "]`)
    await expect(row).toHaveCount(1)
    await row.click()
    const details = page.getByTestId('socket-details')
    // The client sent 1000 bytes and received 3072: tcp_info counts exactly those.
    await expect(details.locator('dt:text-is("Bytes sent") + dd')).toHaveText('1000 B')
    await expect(details.locator('dt:text-is("Bytes received") + dd')).toHaveText('3.0 KiB')
    await expect(details.locator('dt:text-is("Congestion control") + dd')).not.toHaveText('–')
    await expect(details.locator('dt:text-is("Round-trip time") + dd')).toHaveText(/ ms$/)
  } finally {
    await connection.close()
  }
})
