/**
 * Sockets of other network namespaces in Chromium against the real backend in web mode: a
 * listener the test starts in a namespace of its own (`ip netns add`, `ip netns exec`) shows in
 * the Processes tab under a heading of its namespace, after the host's, and the heading filters
 * the table to that namespace. The namespace is deleted afterwards, whatever happened.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readlinkSync } from 'node:fs'
import { expect, test } from '@playwright/test'
import { openApp, showView } from './support/app'

const isRoot = process.getuid?.() === 0
const hasIp = spawnSync('ip', ['-V']).status === 0
const namespace = `sockscope-test-${randomBytes(4).toString('hex')}`

/** Listens on 127.0.0.1 at a port of its choosing and prints it. */
const LISTENER = `
const server = require('node:net').createServer(() => {})
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'))
`

test.describe('sockets of another network namespace', () => {
  test.skip(!isRoot || !hasIp, 'needs root and ip to make a network namespace')
  let child: ChildProcess | undefined
  let namespaceMade = false
  let port = 0
  let netns = 0

  test.beforeAll(async () => {
    execFileSync('ip', ['netns', 'add', namespace])
    namespaceMade = true
    execFileSync('ip', ['-n', namespace, 'link', 'set', 'lo', 'up'])
    child = spawn('ip', ['netns', 'exec', namespace, process.execPath, '-e', LISTENER], { stdio: ['ignore', 'pipe', 'inherit'] })
    port = Number(await new Promise<string>((resolve) => child!.stdout!.once('data', (data: Buffer) => resolve(data.toString()))))
    netns = Number(/^net:\[(\d+)\]$/.exec(readlinkSync(`/proc/${child.pid}/ns/net`))![1])
  })

  test.afterAll(async () => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve))
      child.kill('SIGKILL')
      await exited
    }
    if (namespaceMade) execFileSync('ip', ['netns', 'del', namespace])
  })

  test('the Processes tab lists it under its namespace, after the host, and the heading filters to it', async ({ page }) => {
    await openApp(page)
    await showView(page, 'processes')
    const sections = page.getByTestId('namespace-section')
    await expect(sections.first().locator('.namespace-heading')).toContainText('Host')
    const section = page.locator(`[data-testid="namespace-section"][data-netns="${netns}"]`)
    await expect(section.locator(`tr[data-pid="${child!.pid}"]`)).toContainText(`tcp ${port}`)
    await expect(section.locator('.namespace-heading')).toContainText(`Network namespace ${netns}`)
    await section.locator('.namespace-heading').click()
    await expect(page.getByTestId('filter-input')).toHaveValue(`netns:${netns}`)
    const row = page.locator(`.socket-row[data-socket-id^="tcp4 127.0.0.1|${port} 0.0.0.0|0 "]`)
    await expect(row).toHaveCount(1)
    await expect(row).toContainText(String(child!.pid))
  })
})
