/**
 * Closing a connection and stopping a process from the UI in Chromium, against real backends:
 * the shared server (started without --allow-actions) shows both disabled with the reason; a
 * server of this test's own with --allow-actions confirms in the page, naming the connection and
 * its process, and SIGKILL is offered when SIGTERM is not enough. The connection and the process
 * belong to this test.
 */
import { once } from 'node:events'
import { expect, test, type Page } from '@playwright/test'
import { carriesBytes, openKnownConnection, type KnownConnection } from '../support/netlink/loopback-connection'
import { startProgram, stopPrograms } from '../support/test-programs'
import { openApp, showView } from './support/app'
import { startServe, type ServeProcess } from './support/serve-process'

const isRoot = process.getuid?.() === 0
let connection: KnownConnection | null = null
let server: ServeProcess | null = null

test.afterEach(async () => {
  await connection?.close()
  connection = null
  await server?.stop()
  server = null
  await stopPrograms()
})

/** Filters the table to the connection's client end and opens its details. */
async function selectClientEnd(page: Page, opened: KnownConnection): Promise<void> {
  await page.getByTestId('filter-input').fill(`lport:${opened.clientPort} rport:${opened.serverPort}`)
  const row = page.locator(`.socket-row[data-socket-id^="tcp4 127.0.0.1|${opened.clientPort} 127.0.0.1|${opened.serverPort} "]`)
  await expect(row).toHaveCount(1)
  await row.click()
  await expect(page.getByTestId('socket-details')).toBeVisible()
}

test('without --allow-actions the row actions are disabled and say how to allow them', async ({ page }) => {
  connection = await openKnownConnection(1, 1)
  await openApp(page)
  await selectClientEnd(page, connection)
  const close = page.locator('[data-action="close-connection"]')
  await expect(close).toBeDisabled()
  await expect(close).toHaveAttribute('title', 'To allow them, start "sockscope serve" with --allow-actions.')
  await expect(page.getByTestId('unavailable-actions')).toHaveText('Close connection and Stop process: off. To allow them, start "sockscope serve" with --allow-actions.')
  await showView(page, 'processes')
  await expect(page.locator(`tr[data-pid="${process.pid}"] [data-action="stop-process"]`)).toBeDisabled()
  await expect(page.getByTestId('actions-off')).toContainText('--allow-actions')
})

test('with --allow-actions the confirmation names the connection and its process; cancel keeps it, confirm closes it', async ({ page }) => {
  server = await startServe('--no-resolve', '--interval', '300', '--allow-actions')
  connection = await openKnownConnection(1, 1)
  const opened = connection
  await page.goto(server.url)
  await selectClientEnd(page, opened)

  await page.locator('[data-action="close-connection"]').click()
  const dialog = page.getByTestId('action-confirmation')
  await expect(dialog).toBeVisible()
  await expect(dialog.getByRole('heading')).toHaveText('Close this TCP connection?')
  await expect(dialog).toContainText(`tcp 127.0.0.1:${opened.clientPort} → 127.0.0.1:${opened.serverPort} of node (${process.pid})`)
  // Cancel has the focus: Enter refuses.
  await page.keyboard.press('Enter')
  await expect(dialog).toHaveCount(0)
  expect(await carriesBytes(opened)).toBe(true)

  const reset = new Promise<string | undefined>((resolve) => opened.accepted.once('error', (error: NodeJS.ErrnoException) => resolve(error.code)))
  await page.locator('[data-action="close-connection"]').click()
  await page.getByTestId('action-confirm').click()
  await expect(page.getByTestId('action-notice')).toContainText(isRoot ? 'closed; the peer was sent a reset' : 'CAP_NET_ADMIN')
  if (isRoot) expect(await reset).toBe('ECONNRESET')

  await showView(page, 'processes')
  const logged = page.getByTestId('action-log').locator('tbody tr')
  await expect(logged).toHaveCount(1)
  await expect(logged).toContainText('close')
  await expect(logged).toContainText(`127.0.0.1:${opened.clientPort}`)
  await expect(logged).toHaveAttribute('data-outcome', isRoot ? 'done' : 'failed')
})

test('with --allow-actions a process that ignores SIGTERM is offered SIGKILL from the Processes tab', async ({ page }) => {
  server = await startServe('--no-resolve', '--interval', '300', '--allow-actions')
  const stubborn = await startProgram('idle-process.js', ['ignore-sigterm'])
  const exited = once(stubborn.child, 'exit')
  await page.goto(server.url)
  await page.getByTestId('socket-table').waitFor()
  await showView(page, 'processes')
  // Only its row: the table re-sorts on every read, and a row that moves can take the click away.
  await page.getByRole('textbox', { name: 'Filter processes' }).fill(String(stubborn.pid))
  const stop = page.locator(`tr[data-pid="${stubborn.pid}"] [data-action="stop-process"]`)
  await stop.click()
  const dialog = page.getByTestId('action-confirmation')
  await expect(dialog.getByRole('heading')).toHaveText(`Stop node (${stubborn.pid})?`)
  await page.getByTestId('action-confirm').click()

  // After the grace time the page offers SIGKILL, saying why.
  await expect(dialog.getByRole('heading')).toHaveText(`Force node (${stubborn.pid}) to stop?`, { timeout: 20_000 })
  await expect(page.getByTestId('action-reason')).toHaveText(`node (${stubborn.pid}) is still running 3 s after SIGTERM; it can be forced with SIGKILL.`)
  expect(stubborn.child.exitCode).toBeNull()
  await page.getByTestId('action-confirm').click()
  expect(await exited).toEqual([null, 'SIGKILL'])
  await expect(page.getByTestId('action-notice')).toContainText('killed with SIGKILL')
  await expect(page.getByTestId('action-log').locator('tbody tr')).toHaveCount(2)
})
