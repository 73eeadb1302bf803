/**
 * The socket table as a user works it, in Chromium against the real backend in web mode: the
 * remote name beside its address, the filter box's Esc and help, a query that does not compile,
 * counts that agree with the status bar, the column chooser and column widths kept across a
 * reload, the row menu, and the keys that move through rows.
 */
import { expect, test, type Page } from '@playwright/test'
import { startTcpServer } from '../support/loopback-servers'
import { openKnownConnection } from '../support/netlink/loopback-connection'
import { openApp } from './support/app'
import { listenerFilter, listenerRow } from './support/socket-rows'

/** The two counts, read in one go so a tick cannot land between them. */
async function counts(page: Page): Promise<{ shown: number; total: number; note: string }> {
  return page.evaluate(() => ({
    shown: Number(document.querySelector('[data-testid="visible-count"]')?.textContent?.split(' ')[0]),
    total: Number(document.querySelector('[data-testid="socket-count"]')?.textContent?.split(' ')[0]),
    note: document.querySelector('[data-testid="visible-count-note"]')?.textContent ?? ''
  }))
}

test.afterEach(async ({ page }) => {
  // Column choices live in the browser's storage; later tests start from the defaults.
  await page.evaluate(() => localStorage.clear()).catch(() => undefined)
})

test('the remote name shows with its address, never instead of it', async ({ page }) => {
  const connection = await openKnownConnection(10, 10)
  try {
    await openApp(page)
    await page.getByTestId('filter-input').fill(`proto:tcp4 lport:${connection.clientPort} rport:${connection.serverPort}`)
    const cell = page.locator(`.socket-row[data-socket-id^="tcp4 127.0.0.1|${connection.clientPort} "] [data-field="remoteAddress"]`)
    // getnameinfo names 127.0.0.1 from /etc/hosts; the address stays in the cell beside it.
    await expect(cell).toHaveText(/^\S+ \(127\.0\.0\.1\)$/)
    await page.getByText('names', { exact: true }).click()
    await expect(cell).toHaveText('127.0.0.1')
  } finally {
    await page.getByText('names', { exact: true }).click()
    await connection.close()
  }
})

test('Esc in the filter box clears the filter, and a query that does not compile marks the rows stale', async ({ page }) => {
  const server = await startTcpServer()
  try {
    await openApp(page)
    const input = page.getByTestId('filter-input')
    await input.fill(listenerFilter(server.port))
    await expect(page.getByTestId('visible-count')).toHaveText('1 shown')
    const table = page.locator('.socket-table')
    await expect(table).toHaveAttribute('data-stale', 'false')

    await input.fill(`${listenerFilter(server.port)} prot:`)
    await expect(table).toHaveAttribute('data-stale', 'true')
    await expect(page.getByTestId('visible-count-note')).toContainText('filter not applied')
    // The rows of the last query that compiled stay, greyed, instead of an empty table.
    await expect(listenerRow(page, server.port)).toHaveCount(1)

    await input.press('Escape')
    await expect(input).toHaveValue('')
    await expect(table).toHaveAttribute('data-stale', 'false')
    await expect.poll(async () => (await counts(page)).shown).toBeGreaterThan(1)
  } finally {
    await server.close()
  }
})

test('"N shown" agrees with the status bar unfiltered, and says why when it does not', async ({ page }) => {
  const server = await startTcpServer()
  await openApp(page)
  await expect
    .poll(async () => {
      const read = await counts(page)
      return read.note.includes('just closed') || read.shown === read.total
    })
    .toBe(true)
  await page.getByTestId('filter-input').fill(listenerFilter(server.port))
  await expect(page.getByTestId('visible-count')).toHaveText('1 shown')
  await expect(page.getByTestId('visible-count-note')).toHaveText(/^of \d+, filtered$/)
  await server.close()
  // The closed listener lingers in red: shown, but not counted, and the note says so.
  await expect(listenerRow(page, server.port)).toHaveAttribute('data-mark', 'closed')
  await expect(page.getByTestId('visible-count')).toHaveText('0 shown')
  await expect(page.getByTestId('visible-count-note')).toContainText('+1 just closed, not counted')
})

test('the filter help opens from its button and closes with Esc', async ({ page }) => {
  await openApp(page)
  await expect(page.getByTestId('filter-help')).toHaveCount(0)
  await page.getByTestId('filter-help-button').click()
  const help = page.getByTestId('filter-help')
  await expect(help).toBeVisible()
  await expect(help).toContainText('state:established')
  await expect(help).toContainText('Combining:')
  await page.getByTestId('filter-input').focus()
  await page.keyboard.press('Escape')
  await expect(help).toHaveCount(0)
})

test('chosen columns and dragged widths are kept across a reload', async ({ page }) => {
  await openApp(page)
  await page.getByTestId('column-picker').locator('summary').click()
  await page.getByTestId('column-search').fill('round-trip')
  await page.locator('[data-column="tcpInfo.rttMs"]').check()
  await page.getByTestId('column-search').fill('inode')
  await page.locator('[data-column="inode"]').uncheck()
  await expect(page.locator('[data-sort="tcpInfo.rttMs"]')).toBeVisible()
  await expect(page.locator('[data-sort="inode"]')).toHaveCount(0)
  await page.getByTestId('column-picker').locator('summary').click()

  const header = page.locator('[data-sort="process"]')
  const before = (await header.boundingBox())?.width ?? 0
  const handle = (await page.locator('[data-resize="process"]').boundingBox()) ?? { x: 0, y: 0, width: 0, height: 0 }
  await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2)
  await page.mouse.down()
  await page.mouse.move(handle.x + 120, handle.y + handle.height / 2, { steps: 5 })
  await page.mouse.up()
  const after = (await header.boundingBox())?.width ?? 0
  expect(after).toBeGreaterThan(before + 100)
  expect(after).toBeLessThan(before + 140)
  // Releasing the handle does not count as a click on the header: the sort stays.
  await expect(header).toHaveAttribute('aria-sort', 'none')
  const cell = page.locator('.socket-row[data-socket-id] [data-field="process"]').first()
  expect(Math.abs(((await cell.boundingBox())?.width ?? 0) - after)).toBeLessThan(1)

  await page.reload()
  await page.getByTestId('socket-table').waitFor()
  await expect(page.locator('[data-sort="tcpInfo.rttMs"]')).toBeVisible()
  await expect(page.locator('[data-sort="inode"]')).toHaveCount(0)
  expect(Math.abs(((await page.locator('[data-sort="process"]').boundingBox())?.width ?? 0) - after)).toBeLessThan(1)

  await page.getByTestId('column-picker').locator('summary').click()
  await page.getByTestId('column-reset').click()
  await expect(page.locator('[data-sort="tcpInfo.rttMs"]')).toHaveCount(0)
  await expect(page.locator('[data-sort="inode"]')).toHaveCount(1)
})

test('right-click opens the row menu with the row actions; Esc closes it, an item runs', async ({ page }) => {
  const server = await startTcpServer()
  try {
    await openApp(page)
    await page.getByTestId('filter-input').fill(listenerFilter(server.port))
    const row = listenerRow(page, server.port)
    await row.click({ button: 'right' })
    const menu = page.getByTestId('row-menu')
    await expect(menu).toBeVisible()
    await expect(row).toHaveClass(/selected/)
    await expect(menu.locator('[role="menuitem"]')).toContainText(['Details', 'Copy as text', 'Only this process', 'Probe this listener'])
    // The keyboard is in the menu: arrows move, Esc closes and hands it back to the table.
    await expect(menu.locator('[data-menu="details"]')).toBeFocused()
    await page.keyboard.press('ArrowDown')
    await expect(menu.locator('[data-menu="copy"]')).toBeFocused()
    await page.keyboard.press('Escape')
    await expect(menu).toHaveCount(0)
    await expect(page.getByTestId('socket-table')).toBeFocused()

    await page.keyboard.press('Shift+F10')
    await expect(menu).toBeVisible()
    await menu.locator('[data-menu="only-process"]').click()
    await expect(menu).toHaveCount(0)
    await expect(page.getByTestId('filter-input')).toHaveValue(`pid:${process.pid}`)
  } finally {
    await server.close()
  }
})

test('Enter moves into the details, Esc goes back; PageUp, PageDown, Home, End and Esc move and clear the selection', async ({ page }) => {
  const servers = await Promise.all(Array.from({ length: 60 }, () => startTcpServer()))
  try {
    await page.setViewportSize({ width: 1400, height: 700 })
    await openApp(page)
    await page.getByTestId('filter-input').fill(`pid:${process.pid} state:listen`)
    await expect(page.getByTestId('visible-count')).toHaveText('60 shown')
    const table = page.getByTestId('socket-table')
    const selected = table.locator('.socket-row.selected')
    const selectedIndex = async () => Number(await selected.getAttribute('aria-rowindex'))
    await table.focus()

    await page.keyboard.press('End')
    await expect(selected).toHaveAttribute('aria-rowindex', '61')
    await page.keyboard.press('PageUp')
    const pageRows = 61 - (await selectedIndex())
    expect(pageRows).toBeGreaterThan(5)
    await page.keyboard.press('PageDown')
    await expect(selected).toHaveAttribute('aria-rowindex', '61')
    await page.keyboard.press('Home')
    await expect(selected).toHaveAttribute('aria-rowindex', '2')
    await page.keyboard.press('PageDown')
    await expect(selected).toHaveAttribute('aria-rowindex', String(2 + pageRows))

    await page.keyboard.press('Enter')
    await expect(page.getByTestId('socket-details')).toBeFocused()
    await page.keyboard.press('Escape')
    await expect(table).toBeFocused()
    await expect(selected).toHaveCount(1)
    await page.keyboard.press('Escape')
    await expect(selected).toHaveCount(0)
    await expect(page.getByTestId('socket-details')).toHaveCount(0)
  } finally {
    for (const server of servers) await server.close()
  }
})

test('the table catches up with what happened while another tab was shown', async ({ page }) => {
  const server = await startTcpServer()
  let open = true
  try {
    await openApp(page)
    await page.getByTestId('filter-input').fill(listenerFilter(server.port))
    await expect(listenerRow(page, server.port)).toHaveCount(1)
    await page.locator('.tab[data-view="closed"]').click()
    await server.close()
    open = false
    // Long enough for the closed row to have lingered and gone while the table was hidden.
    await page.waitForTimeout(6000)
    await page.locator('.tab[data-view="sockets"]').click()
    await expect(listenerRow(page, server.port)).toHaveCount(0)
    await expect(page.getByTestId('visible-count')).toHaveText('0 shown')
  } finally {
    if (open) await server.close()
  }
})
