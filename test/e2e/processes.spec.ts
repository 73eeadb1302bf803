/**
 * The Processes tab in Chromium against the real backend in web mode: a process's sockets per
 * state (CLOSE_WAIT included), its open fds against its limit, its user even with only UNIX
 * sockets, sorting, filtering, and the capture action.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { openApp, showView } from './support/app'

const children: ChildProcess[] = []

/** Runs `node -e source` (with a file limit when given) and waits for the line it prints when ready. */
async function startNode(source: string, fileLimit?: number): Promise<ChildProcess> {
  const child =
    fileLimit === undefined
      ? spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'pipe', 'inherit'] })
      : spawn('bash', ['-c', `ulimit -n ${fileLimit}; exec "$0" -e "$1"`, process.execPath, source], { stdio: ['ignore', 'pipe', 'inherit'] })
  children.push(child)
  await new Promise<void>((resolve, reject) => {
    child.stdout?.once('data', () => resolve())
    child.once('exit', (code) => reject(new Error(`the test process exited with ${code}`)))
  })
  return child
}

/** A server that never closes what its clients hang up: `count` of its sockets stay in CLOSE_WAIT. */
const closeWaitSource = (count: number) => `
const net = require('node:net')
let ended = 0
const kept = []
const server = net.createServer({ allowHalfOpen: true }, (socket) => {
  kept.push(socket)
  socket.on('end', () => { if (++ended === ${count}) process.stdout.write('ready\\n') })
})
server.listen(0, '127.0.0.1', () => {
  for (let index = 0; index < ${count}; index++) {
    const client = net.connect(server.address().port, '127.0.0.1', () => client.end())
    kept.push(client)
  }
})
setInterval(() => {}, 1000)
`

/** A process with one UNIX listener and nothing else. */
const unixOnlySource = (path: string) => `
const net = require('node:net')
net.createServer(() => {}).listen(${JSON.stringify(path)}, () => process.stdout.write('ready\\n'))
`

test.afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL')
})

function processRow(page: Page, pid: number | undefined) {
  return page.locator(`[data-testid="process-table"] tr[data-pid="${pid}"]`)
}

test('a process shows its CLOSE_WAIT sockets, its open fds against its limit, and its user', async ({ page }) => {
  const leaker = await startNode(closeWaitSource(7), 300)
  await openApp(page)
  await showView(page, 'processes')
  const row = processRow(page, leaker.pid)
  await expect(row.locator('[data-column="closeWait"]')).toHaveText('7')
  await expect(row.locator('[data-column="closeWait"]')).toHaveClass(/warning/)
  await expect(row.locator('[data-column="fds"]')).toHaveText(/^\d+ \/ 300$/)
  await expect(row.locator('[data-column="user"]')).toHaveText('root')
  await expect(row).toContainText(/tcp \d+/)
})

test('a process with only UNIX sockets still shows its user', async ({ page }) => {
  const folder = await mkdtemp(join(tmpdir(), 'sockscope-e2e-unix-'))
  try {
    const unixOnly = await startNode(unixOnlySource(join(folder, 'only.sock')))
    await openApp(page)
    await showView(page, 'processes')
    await expect(processRow(page, unixOnly.pid).locator('[data-column="user"]')).toHaveText('root')
  } finally {
    await rm(folder, { recursive: true, force: true })
  }
})

test('the process table sorts on the header clicked and filters on what is typed', async ({ page }) => {
  const leaker = await startNode(closeWaitSource(5))
  await openApp(page)
  await showView(page, 'processes')
  await expect(processRow(page, leaker.pid)).toHaveCount(1)
  const section = page.getByTestId('namespace-section').first()
  const closeWaits = async () => section.locator('[data-column="closeWait"]').allTextContents()

  await page.locator('[data-sort="closeWait"]').click()
  await expect(page.locator('th:has([data-sort="closeWait"])')).toHaveAttribute('aria-sort', 'descending')
  let shown = (await closeWaits()).map(Number)
  expect(shown).toEqual([...shown].sort((a, b) => b - a))
  expect(shown[0]).toBeGreaterThanOrEqual(5)
  await page.locator('[data-sort="closeWait"]').click()
  await expect(page.locator('th:has([data-sort="closeWait"])')).toHaveAttribute('aria-sort', 'ascending')
  shown = (await closeWaits()).map(Number)
  expect(shown).toEqual([...shown].sort((a, b) => a - b))

  await page.getByTestId('process-filter').fill(String(leaker.pid))
  await expect(page.locator('[data-testid="process-table"] tr[data-pid]')).toHaveCount(1)
  await expect(processRow(page, leaker.pid)).toHaveCount(1)
  await page.getByTestId('process-filter').fill('no process is called this')
  await expect(page.getByTestId('no-processes')).toBeVisible()
})

test('Capture on a process opens the capture form filled in for its sockets', async ({ page }) => {
  const leaker = await startNode(closeWaitSource(2))
  await openApp(page)
  await showView(page, 'processes')
  await processRow(page, leaker.pid).locator('[data-action="capture-process"]').click()
  await expect(page.getByTestId('capture-view')).toBeVisible()
  await expect(page.getByTestId('capture-filter')).toHaveValue(/port/)
})
