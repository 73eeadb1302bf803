/**
 * The Capture view in Chromium against the real backend in web mode, which runs as root here so
 * it may capture on `lo`: a refused capture filter, a live capture of traffic this test makes
 * (TCP and UDP on a port it picked), the packet list, details and hex, conversations, Follow TCP
 * stream, the throughput chart, a pcapng export checked by tshark and capinfos, and the import
 * of files written by tcpdump, one of them cut short.
 */
import { execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { expect, test, type Page } from '@playwright/test'
import { openLoopbackPeers, sendDatagrams } from '../integration/backend/capture/live-traffic'
import { openApp, showView } from './support/app'
import { README_SCREENSHOT, saveScreenshot } from './support/screenshots'
import { listenerFilter, listenerRow } from './support/socket-rows'
import { canvasHasInk, fromStore } from './support/page-state'

const run = promisify(execFile)

/** Sends `payload` over a new TCP connection, waits for the server's answer, then closes both ways. */
async function tcpExchange(port: number, payload: string): Promise<string> {
  const socket = connect(port, '127.0.0.1')
  await once(socket, 'connect')
  socket.write(payload)
  const [answer] = (await once(socket, 'data')) as [Buffer]
  socket.end()
  await once(socket, 'close')
  return answer.toString()
}

/** What the checks read from the capture stores. */
interface CaptureStoreFigures {
  readonly captureState: string | null
  readonly packets: number
  readonly cachedRows: number
  readonly throughputPackets: number
  readonly throughputBytes: number
}

/** Reads figures from the live capture, packet list and panel stores through the app's own Pinia instance. */
async function captureStore(page: Page): Promise<CaptureStoreFigures> {
  const [captureState, shown, panels] = await Promise.all([
    fromStore<string | null>(page, 'capture', 'store.captureStatus?.state ?? null'),
    fromStore<Pick<CaptureStoreFigures, 'packets' | 'cachedRows'>>(page, 'capture-packets', '{ packets: store.view?.source?.packets ?? 0, cachedRows: store.cachedRowCount() }'),
    fromStore<Pick<CaptureStoreFigures, 'throughputPackets' | 'throughputBytes'>>(
      page,
      'capture-panels',
      '{ throughputPackets: store.throughputTotals.packets, throughputBytes: store.throughputTotals.bytes }'
    )
  ])
  return { captureState, ...shown, ...panels }
}

/** Captures `count` UDP datagrams on lo with tcpdump into `path`, as the import test's input. */
async function writeWithTcpdump(path: string, count: number): Promise<void> {
  const peers = await openLoopbackPeers()
  try {
    const tcpdump = spawn('tcpdump', ['--immediate-mode', '-i', 'lo', '-n', '-U', '-c', String(count), '-w', path, `udp and port ${peers.port}`], {
      stdio: ['ignore', 'ignore', 'pipe']
    })
    let stderr = ''
    tcpdump.stderr.setEncoding('utf8')
    await new Promise<void>((done, fail) => {
      tcpdump.stderr.on('data', (text: string) => {
        stderr += text
        if (stderr.includes('listening on')) done()
      })
      tcpdump.once('exit', (code) => fail(new Error(`tcpdump exited with ${code}: ${stderr}`)))
    })
    const exited = once(tcpdump, 'exit')
    await sendDatagrams(peers.port, new Array<number>(count).fill(32))
    await exited
  } finally {
    await peers.close()
  }
}

test.describe.configure({ mode: 'serial' })

let workDirectory = ''
test.beforeAll(async () => {
  workDirectory = await mkdtemp(join(tmpdir(), 'sockscope-e2e-capture-'))
})
test.afterAll(async () => {
  await rm(workDirectory, { recursive: true, force: true })
})

test('a capture filter libpcap refuses shows its message and starts nothing', async ({ page }) => {
  await openApp(page)
  await showView(page, 'capture')
  await expect(page.getByTestId('capture-interface').locator('option[value="lo"]')).toHaveCount(1)
  await expect(page.getByTestId('capture-interface').locator('option[value="any"]')).toHaveCount(1)
  await page.getByTestId('capture-interface').selectOption('lo')
  await page.getByTestId('capture-filter').fill('tcp port banana')
  await page.getByTestId('capture-start').click()
  await expect(page.getByTestId('capture-filter-error')).toBeVisible()
  await expect(page.getByTestId('capture-filter-error')).not.toBeEmpty()
  await expect(page.getByTestId('capture-start')).toBeVisible()
  expect((await captureStore(page)).captureState).not.toBe('running')
})

test('live capture on lo: list, details, hex, conversation, follow stream, chart and pcapng export', README_SCREENSHOT, async ({ page }) => {
  test.setTimeout(120_000)
  const peers = await openLoopbackPeers()
  const marker = `sockscope-e2e-${randomBytes(6).toString('hex')}`
  try {
    await openApp(page)
    await showView(page, 'capture')
    await page.getByTestId('capture-interface').selectOption('lo')
    await page.getByTestId('capture-filter').fill(`port ${peers.port}`)
    await page.getByTestId('capture-start').click()
    await expect(page.getByTestId('capture-state')).toHaveText(/capturing/i)
    await expect(page.getByTestId('capture-stop')).toBeEnabled()

    const answer = await tcpExchange(peers.port, `GET /${marker} HTTP/1.0\r\n\r\n`)
    expect(answer).toBe('k')
    await sendDatagrams(peers.port, [10, 10, 10, 10, 10])

    // Handshake (3), request, answer, FIN both ways and the last ACK: at least 8 TCP packets (ACKs may ride
    // on data or FINs); plus 5 UDP datagrams.
    await expect.poll(async () => (await captureStore(page)).packets).toBeGreaterThanOrEqual(13)
    await expect(page.locator('[data-testid="packet-list"] .packet-row[data-packet-index]').first()).toBeVisible()
    await expect(page.getByTestId('packet-list')).toContainText('UDP')
    await expect(page.getByTestId('packet-list')).toContainText('TCP')

    await page.getByTestId('capture-stop').click()
    await expect(page.getByTestId('capture-state')).toHaveText(/stopped/i)
    const reported = Number((await page.getByTestId('capture-packet-count').textContent())?.replace(/\D/g, ''))
    expect(reported).toBeGreaterThanOrEqual(13)
    const figures = await captureStore(page)
    expect(figures.packets).toBe(reported)
    // The renderer holds pages of the list, never a whole large capture.
    expect(figures.cachedRows).toBeLessThanOrEqual(reported)

    // Details: the decoded tree and the hex dump, with a field's bytes highlighted.
    await page.locator('[data-testid="packet-list"] .packet-row[data-packet-index="0"]').click()
    await expect(page.getByTestId('decoded-tree')).toBeVisible()
    await expect(page.locator('[data-testid="decoded-tree"] [data-layer="tcp"]')).toBeVisible()
    await expect(page.getByTestId('hex-dump')).toContainText('0000')
    await page.locator('[data-testid="decoded-tree"] [data-layer="tcp"] .field-line').first().click()
    await expect(page.locator('[data-testid="hex-dump"] .hex-byte.highlighted').first()).toBeVisible()

    // Throughput: the store has per-second points and the canvas shows them.
    await page.locator('.panel-tabs [data-panel="throughput"]').click()
    await expect.poll(async () => (await captureStore(page)).throughputPackets).toBe(reported)
    expect((await captureStore(page)).throughputBytes).toBeGreaterThan(0)
    await expect.poll(() => canvasHasInk(page, '[data-testid="throughput-chart"] canvas')).toBe(true)

    // Conversations and the reassembled stream with the payload this test sent.
    await page.locator('.panel-tabs [data-panel="conversations"]').click()
    const conversation = page.locator(`[data-testid="conversations"] tr[data-port-b="${peers.port}"]`).filter({ hasText: 'TCP' })
    await expect(conversation).toHaveCount(1)
    await expect(conversation).toContainText('SYN✓')
    await expect(conversation).toContainText('FIN')
    await expect(page.locator(`[data-testid="conversations"] tr[data-port-b="${peers.port}"]`).filter({ hasText: 'UDP' })).toHaveCount(1)
    await conversation.getByTestId('follow-stream-button').click()
    await expect(page.getByTestId('follow-body')).toContainText(marker)
    await expect(page.locator('[data-testid="follow-body"] [data-side="client"]').first()).toContainText(marker)
    await expect(page.locator('[data-testid="follow-body"] [data-side="server"]').first()).toHaveText('k')
    await page.getByTestId('follow-mode-hex').check()
    await expect(page.locator('[data-testid="follow-body"] [data-side="server"]').first()).toContainText('00000000  6b')

    await saveScreenshot(page, 'capture')

    // Export every packet as pcapng and let Wireshark's own tools read it.
    await page.getByTestId('export-format').selectOption('pcapng')
    await page.getByTestId('export-scope').selectOption('all')
    const downloadPromise = page.waitForEvent('download')
    await page.getByTestId('export-button').click()
    const download = await downloadPromise
    const exported = join(workDirectory, 'export.pcapng')
    await download.saveAs(exported)
    const { stdout: tsharkLines } = await run('tshark', ['-n', '-r', exported], { maxBuffer: 64 * 1024 * 1024 })
    expect(tsharkLines.trim().split('\n').length).toBe(reported)
    const { stdout: info } = await run('capinfos', ['-c', '-t', exported])
    expect(info).toMatch(/pcapng/i)
    expect(info).toMatch(new RegExp(`Number of packets:\\s+${reported}\\b`))
  } finally {
    await peers.close()
  }
})

test('an imported tcpdump file shows the same list; a cut file keeps what was read and names the offset', async ({ page }) => {
  test.setTimeout(90_000)
  const written = join(workDirectory, 'tcpdump.pcap')
  await writeWithTcpdump(written, 12)
  await openApp(page)
  await showView(page, 'capture')

  await page.getByTestId('import-input').setInputFiles(written)
  await expect(page.getByTestId('capture-state')).toHaveText(/file/i)
  await expect(page.getByTestId('capture-packet-count')).toHaveText('12')
  await expect(page.locator('[data-testid="packet-list"] .packet-row[data-packet-index]')).toHaveCount(12)
  await expect(page.getByTestId('packet-list')).toContainText('UDP')

  // The display filter runs in the backend over the stored packets.
  await page.getByTestId('filter-input').fill('proto:tcp')
  await expect(page.getByTestId('packet-count-text')).toHaveText(/^0 of 12 shown/)
  await page.getByTestId('filter-input').fill('proto:udp')
  await expect(page.getByTestId('packet-count-text')).toHaveText(/^12 of 12 shown/)
  await page.getByTestId('filter-input').fill('')

  // The same file with its last record cut in half.
  const bytes = await readFile(written)
  const cut = join(workDirectory, 'cut.pcap')
  await writeFile(cut, bytes.subarray(0, bytes.length - 20))
  expect((await stat(cut)).size).toBe(bytes.length - 20)
  await page.getByTestId('import-input').setInputFiles(cut)
  await expect(page.getByTestId('transfer-error')).toContainText(/byte offset \d+/)
  await expect(page.getByTestId('capture-packet-count')).toHaveText('11')
})

test('"Capture this" on a socket row fills in its capture filter and opens the Capture view', async ({ page }) => {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as { port: number }).port
  try {
    await openApp(page)
    await page.getByTestId('filter-input').fill(listenerFilter(port))
    const row = listenerRow(page, port)
    await expect(row).toHaveCount(1)
    await row.click()
    await page.getByTestId('socket-details').locator('[data-action="capture-socket"]').click()
    await expect(page.getByTestId('capture-view')).toBeVisible()
    await expect(page.getByTestId('capture-filter')).toHaveValue(`tcp and host 127.0.0.1 and port ${port}`)
    await expect(page.getByTestId('capture-interface')).toHaveValue('lo')
  } finally {
    server.close()
  }
})
