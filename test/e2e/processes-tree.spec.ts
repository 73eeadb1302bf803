/**
 * The Processes tab's tree and its steady order, in Chromium against the real backend: a parent
 * process and the two children it started (each holding listeners) show as a tree whose siblings
 * follow the sort, and the table keeps its order while the pointer is over it or a row's menu is
 * open, then applies the new one.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { randomBytes } from 'node:crypto'
import { expect, test, type Page } from '@playwright/test'
import { openApp, showView } from './support/app'

/** A process that listens on as many loopback ports as its argument says, and on ten more each time it gets SIGUSR2. */
const listenerSource = `
const net = require('node:net')
const listen = () => new Promise((done) => net.createServer().listen(0, '127.0.0.1', done))
process.on('SIGUSR2', async () => { for (let i = 0; i < 10; i++) await listen() })
;(async () => { for (let i = 0; i < Number(process.argv[1]); i++) await listen(); process.stdout.write('ready\\n') })()
setInterval(() => {}, 1000)
`

/**
 * A process with one listener that starts two listener children, one with 1 listener and one
 * with 6, and prints their pids. Each also holds the UNIX sockets of its stdout pipe, so the
 * parent's total (its listener and three pipes) falls between its children's. The marker in every command line lets the filter find the three.
 */
const parentSource = (marker: string) => `
// ${marker}
const net = require('node:net')
const { spawn } = require('node:child_process')
const start = (count) => new Promise((done) => {
  const child = spawn(process.execPath, ['-e', ${JSON.stringify(listenerSource)}, String(count), ${JSON.stringify(marker)}], { stdio: ['ignore', 'pipe', 'inherit'] })
  child.stdout.once('data', () => done(child))
})
const children = []
process.on('SIGTERM', () => { for (const child of children) child.kill('SIGKILL'); process.exit(0) })
net.createServer().listen(0, '127.0.0.1', async () => {
  children.push(await start(1), await start(6))
  process.stdout.write(JSON.stringify(children.map((child) => child.pid)) + '\\n')
})
setInterval(() => {}, 1000)
`

/** The family under test: the parent and its two children, small (1 listener) and large (6). */
interface Family {
  readonly parent: ChildProcess
  readonly small: number
  readonly large: number
  readonly marker: string
}

let family: Family | null = null

async function startFamily(): Promise<Family> {
  const marker = `sockscope-tree-${randomBytes(5).toString('hex')}`
  const parent = spawn(process.execPath, ['-e', parentSource(marker)], { stdio: ['ignore', 'pipe', 'inherit'] })
  const [line] = (await once(parent.stdout!, 'data')) as [Buffer]
  const [small, large] = JSON.parse(line.toString()) as [number, number]
  return { parent, small, large, marker }
}

test.afterEach(async () => {
  if (family !== null && family.parent.exitCode === null) {
    family.parent.kill('SIGTERM')
    await once(family.parent, 'exit')
  }
  family = null
})

/** The pids of the table's rows, top to bottom. */
async function shownPids(page: Page): Promise<number[]> {
  return (await page.locator('[data-testid="process-table"] tbody tr[data-pid]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-pid')))).map(Number)
}

function row(page: Page, pid: number | undefined) {
  return page.locator(`[data-testid="process-table"] tr[data-pid="${pid}"]`)
}

/** Waits until the table shows the family's listeners, and returns each one's total. */
async function totals(page: Page, { parent, small, large }: Family): Promise<{ parent: number; small: number; large: number }> {
  const total = async (pid: number | undefined) => Number(await row(page, pid).locator('[data-column="total"]').textContent())
  await expect(row(page, large).locator('[data-column="listening"]')).toContainText(/(tcp \d+.*){6}/)
  const shown = { parent: await total(parent.pid), small: await total(small), large: await total(large) }
  expect(shown.small).toBeLessThan(shown.parent)
  expect(shown.parent).toBeLessThan(shown.large)
  return shown
}

test('the tree shows children under their parent and sorts siblings on the column chosen', async ({ page }) => {
  family = await startFamily()
  const { parent, small, large, marker } = family
  await openApp(page)
  await showView(page, 'processes')
  await page.getByTestId('process-filter').fill(marker)
  await totals(page, family)
  await page.locator('[data-sort="total"]').click()
  await expect(page.locator('th:has([data-sort="total"])')).toHaveAttribute('aria-sort', 'ascending')

  // Flat: ascending by total, whoever is whose child.
  await expect.poll(() => shownPids(page)).toEqual([small, parent.pid, large])
  await expect(page.locator('[data-testid="process-table"] tr[data-depth="1"]')).toHaveCount(0)

  await page.getByTestId('process-tree-toggle').check()
  await expect.poll(() => shownPids(page)).toEqual([parent.pid, small, large])
  await expect(row(page, parent.pid)).toHaveAttribute('data-depth', '0')
  await expect(row(page, small)).toHaveAttribute('data-depth', '1')
  await expect(row(page, large)).toHaveAttribute('data-depth', '1')
  await expect(row(page, parent.pid)).toContainText('(2)')

  // Descending: the children swap; the parent stays on top of them.
  await page.locator('[data-sort="total"]').click()
  await expect(page.locator('th:has([data-sort="total"])')).toHaveAttribute('aria-sort', 'descending')
  await expect.poll(() => shownPids(page)).toEqual([parent.pid, large, small])

  // The choice is kept between visits.
  await page.reload()
  await showView(page, 'processes')
  await expect(page.getByTestId('process-tree-toggle')).toBeChecked()
  await page.getByTestId('process-tree-toggle').uncheck()
})

test('the table keeps its order under the pointer and while a row menu is open, then applies it', async ({ page }) => {
  family = await startFamily()
  const { parent, small, large, marker } = family
  await openApp(page)
  await showView(page, 'processes')
  await expect(page.getByTestId('process-tree-toggle')).not.toBeChecked()
  await page.getByTestId('process-filter').fill(marker)
  await expect(page.locator('th:has([data-sort="total"])')).toHaveAttribute('aria-sort', 'descending')
  const counted = await totals(page, family)
  await expect.poll(() => shownPids(page)).toEqual([large, parent.pid, small])
  const before = await shownPids(page)

  // Pointer on the small child's row; it then opens ten more listeners, passing the large one.
  await row(page, small).hover()
  process.kill(small, 'SIGUSR2')
  await expect(row(page, small).locator('[data-column="total"]')).toHaveText(String(counted.small + 10))
  // Counts change in place; for a few more ticks (the table reads every 500 ms) the rows stay put.
  await page.waitForTimeout(1500)
  expect(await shownPids(page)).toEqual(before)
  // Let go: the new order applies.
  await page.getByTestId('process-filter').hover()
  await expect.poll(async () => (await shownPids(page))[0]).toBe(small)

  // A row menu holds the order too, wherever the pointer goes.
  const held = await shownPids(page)
  await row(page, large).click({ button: 'right' })
  await expect(page.getByTestId('process-menu')).toBeVisible()
  await page.getByTestId('process-filter').hover()
  process.kill(large, 'SIGUSR2')
  await expect(row(page, large).locator('[data-column="total"]')).toHaveText(String(counted.large + 10))
  await page.waitForTimeout(1500)
  expect(await shownPids(page)).toEqual(held)
  await page.keyboard.press('Escape')
  await expect(page.getByTestId('process-menu')).toHaveCount(0)
  await expect.poll(async () => (await shownPids(page))[0]).toBe(large)
})

test('a process row menu offers its actions and runs the one chosen', async ({ page }) => {
  family = await startFamily()
  const { large, marker } = family
  await openApp(page)
  await showView(page, 'processes')
  await page.getByTestId('process-filter').fill(marker)
  await row(page, large).click({ button: 'right' })
  const menu = page.getByTestId('process-menu')
  await expect(menu.locator('button')).toHaveText(['Focus on this process', 'Show its sockets', 'Capture its traffic', 'Stop…'])
  await expect(menu.locator('[data-menu="focus"]')).toBeFocused()
  await page.keyboard.press('ArrowDown')
  await expect(menu.locator('[data-menu="sockets"]')).toBeFocused()
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('socket-table')).toBeVisible()
  await expect(page.getByTestId('filter-input')).toHaveValue(`pid:${large}`)
})
