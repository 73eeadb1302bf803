/**
 * The process focus view and the port helper in Chromium against the real backend in web mode.
 * A child process this test starts holds a listener and connections on loopback (and closed one);
 * the focus view, opened from its Processes row and from its socket row, shows them with their
 * ages, its open files against the soft limit it was started with, its ephemeral ports and its
 * closed connection; the port helper names it as the listener's owner; when the test kills it,
 * the focus view says it exited and keeps its sockets, and the watched port is reported free.
 */
import { createServer, type Server, type Socket } from 'node:net'
import { expect, test } from '@playwright/test'
import { startProgram, stopPrograms, type RunningProgram } from '../support/test-programs'
import { openApp, showView } from './support/app'
import { listenerFilter, listenerRow } from './support/socket-rows'

const CONNECTIONS = 3
const FILE_LIMIT = 777

let server: Server
const accepted: Socket[] = []

test.beforeEach(async () => {
  server = createServer((socket) => {
    socket.on('error', () => undefined)
    socket.on('end', () => socket.end())
    accepted.push(socket)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
})

test.afterEach(async () => {
  await stopPrograms()
  for (const socket of accepted.splice(0)) socket.destroy()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

async function startTarget(): Promise<{ program: RunningProgram; port: number; closedLocalPort: number }> {
  const serverPort = (server.address() as { port: number }).port
  const program = await startProgram('focus-target.js', [String(CONNECTIONS), String(serverPort), '3000', 'focus-target'], { fileLimit: FILE_LIMIT })
  return { program, port: Number(program.ready.port), closedLocalPort: Number(program.ready.closedLocalPort) }
}

function kill(program: RunningProgram): Promise<void> {
  return new Promise((resolve) => {
    program.child.once('exit', () => resolve())
    program.child.kill('SIGKILL')
  })
}

test('the focus view shows a process up close and keeps its last data once it exits', async ({ page }) => {
  const { program, port, closedLocalPort } = await startTarget()
  const serverPort = (server.address() as { port: number }).port
  await openApp(page)

  await showView(page, 'processes')
  const processRow = page.locator(`.process-table tr[data-pid="${program.pid}"]`)
  await processRow.locator('[data-action="focus-process"]').click()
  await expect(page.locator('.tab[data-view="focus"]')).toHaveAttribute('aria-selected', 'true')

  await expect(page.getByTestId('focus-title')).toContainText(`focus-target pid ${program.pid}`)
  await expect(page.getByTestId('focus-status')).toHaveText('running')
  // Its TCP sockets: the listener and its ends of the connections (the accepted ends are this test's).
  const tcpRows = page.locator('.focus-socket[data-protocol="tcp"]')
  await expect(tcpRows).toHaveCount(CONNECTIONS + 1)
  await expect(page.locator(`.focus-socket[data-state="LISTEN"][data-local="127.0.0.1:${port}"]`)).toHaveCount(1)
  await expect(page.locator(`.focus-socket[data-state="ESTABLISHED"][data-remote="127.0.0.1:${serverPort}"]`)).toHaveCount(CONNECTIONS)
  // Node holds a few UNIX sockets of its own; the total counts every row listed.
  const rows = page.locator('.focus-socket')
  const total = await rows.count()
  await expect(page.getByTestId('focus-socket-total')).toContainText(`${total} sockets: `)
  await expect(page.getByTestId('focus-socket-total')).toContainText('1 LISTEN')
  for (const age of await page.getByTestId('socket-age').allTextContents()) expect(age).toMatch(/^(≥ )?\d+ (s|min)/)
  await expect(page.getByTestId('focus-fd-limit')).toHaveText(String(FILE_LIMIT))
  const fdCount = Number(await page.getByTestId('focus-fd-count').textContent())
  expect(fdCount).toBeGreaterThanOrEqual(CONNECTIONS + 1)
  expect(fdCount).toBeLessThan(FILE_LIMIT)
  await expect(page.getByTestId('focus-forecast')).toHaveText(/^(Not enough history for a forecast yet|No growth: the open-file count is flat)/)
  await expect(page.getByTestId('focus-ephemeral')).toContainText(`tcp 127.0.0.1 → 127.0.0.1:${serverPort}`)
  await expect(page.getByTestId('focus-ephemeral').locator('tbody tr td').nth(1)).toHaveText(String(CONNECTIONS))
  await expect(page.getByTestId('focus-ephemeral').locator('tbody tr td').nth(2)).toHaveText('< 0.1%')
  // The brief connection it opened and closed before the others, from the events domain.
  await expect(page.getByTestId('focus-closed')).toContainText(`127.0.0.1:${closedLocalPort} → 127.0.0.1:${serverPort}`)

  await kill(program)
  await expect(page.getByTestId('focus-status')).toHaveText('exited')
  await expect(page.getByTestId('focus-exited')).toContainText('The process has exited')
  await expect(page.getByTestId('focus-exited')).toContainText('Showing the last data seen')
  // Its last sockets stay on show; two more refreshes later they still do.
  await expect(rows).toHaveCount(total)
  await page.waitForTimeout(2500)
  await expect(rows).toHaveCount(total)
  await expect(tcpRows).toHaveCount(CONNECTIONS + 1)
  await expect(page.getByTestId('focus-title')).toContainText(`focus-target pid ${program.pid}`)
})

test('the port helper names the listener and says when its port is free', async ({ page }) => {
  const { program, port } = await startTarget()
  await openApp(page)

  // From the socket table: the listener's row, then its "Who holds this port" action.
  await page.getByTestId('filter-input').fill(listenerFilter(port))
  await listenerRow(page, port).click()
  await page.locator('[data-action="port-holders"]').click()
  await expect(page.locator('.tab[data-view="ports"]')).toHaveAttribute('aria-selected', 'true')
  await expect(page.getByTestId('port-headline')).toHaveText(`TCP port ${port} is held by a listener of focus-target (pid ${program.pid})`)
  await expect(page.getByTestId('port-report')).toHaveAttribute('data-verdict', 'listening')
  await expect(page.getByTestId('port-explanation')).toContainText('EADDRINUSE')
  await expect(page.locator('.port-holder[data-role="listener"]').getByTestId('port-holder-process')).toHaveText(`focus-target (${program.pid})`)
  await expect(page.getByTestId('port-since')).toContainText('Held since')

  await page.getByTestId('port-watch').click()
  await expect(page.getByTestId('port-watching')).toBeVisible()
  await expect(page.getByTestId('port-free-notice')).toHaveCount(0)
  await kill(program)
  await expect(page.getByTestId('port-free-notice')).toContainText(`TCP port ${port} is free now`)
  await expect(page.getByTestId('port-headline')).toHaveText(`TCP port ${port} is free`)

  // The same helper from a typed port: a free port says so and offers no watch.
  await page.getByTestId('port-input').fill(String(port))
  await page.getByTestId('port-check').click()
  await expect(page.getByTestId('port-report')).toHaveAttribute('data-verdict', 'free')
  await expect(page.getByTestId('port-watch')).toHaveCount(0)
})

test('a socket row opens the focus view on its process', async ({ page }) => {
  const { program, port } = await startTarget()
  await openApp(page)
  await page.getByTestId('filter-input').fill(listenerFilter(port))
  await listenerRow(page, port).click()
  await page.locator('[data-action="focus-process"]').click()
  await expect(page.getByTestId('focus-title')).toContainText(`pid ${program.pid}`)
  await expect(page.locator(`.focus-socket[data-state="LISTEN"][data-local="127.0.0.1:${port}"]`)).toHaveCount(1)
})
