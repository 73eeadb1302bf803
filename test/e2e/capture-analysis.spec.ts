/**
 * TCP analysis in the Capture view, in Chromium against the real backend in web mode: a crafted
 * capture with losses is imported; its rows carry the findings in the Expert column, the
 * analysis: filter keeps tshark's count of them, the conversation row counts retransmissions and
 * the ACK round trip, the table saves as CSV with those columns, and Follow TCP stream underlines
 * the bytes that came in a retransmission.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { fastRetransmissionScript, writeScriptedTcpCapture } from '../support/capture/crafted-tcp-capture'
import { openApp, showView } from './support/app'

let workDirectory = ''
test.beforeAll(async () => {
  workDirectory = await mkdtemp(join(tmpdir(), 'sockscope-e2e-capture-analysis-'))
})
test.afterAll(async () => {
  await rm(workDirectory, { recursive: true, force: true })
})

test('an imported capture with losses shows its TCP analysis in the list, the filter, the conversations and the followed stream', async ({ page }) => {
  test.setTimeout(90_000)
  const file = join(workDirectory, 'losses.pcap')
  await writeScriptedTcpCapture(file, fastRetransmissionScript())
  await openApp(page)
  await showView(page, 'capture')
  await page.getByTestId('import-input').setInputFiles(file)
  await expect(page.getByTestId('capture-packet-count')).toHaveText('28')

  // The list shows its newest rows: frame 18 is a retransmission, 20 follows a gap, 27 is out of
  // order (tshark marks the same frames), 26 is an ordinary segment.
  const row = (frame: number) => page.locator(`[data-testid="packet-list"] .packet-row[data-packet-index="${frame - 1}"]`)
  await expect(row(18).locator('[data-column="expert"]')).toHaveText(/^\W*Retransmission$/)
  await expect(row(18)).toHaveClass(/expert-note/)
  await expect(row(20)).toHaveClass(/expert-warning/)
  await expect(row(27).locator('[data-column="expert"]')).toHaveText(/Out-Of-Order/)
  await expect(row(26).locator('[data-column="expert"]')).toHaveText('')
  await expect(row(26)).not.toHaveClass(/expert-/)

  await page.getByTestId('filter-input').fill('analysis:duplicate_ack')
  await expect(page.getByTestId('packet-count-text')).toHaveText(/^9 of 28 shown/)
  await page.getByTestId('filter-input').fill('')
  await expect(page.getByTestId('packet-count-text')).toHaveText(/^28 /)

  await page.locator('.panel-tabs [data-panel="conversations"]').click()
  const conversation = page.locator('[data-testid="conversations"] tr[data-conversation-id]')
  await expect(conversation).toHaveCount(1)
  await expect(conversation.locator('[data-column="retransmissions"]')).toHaveText('2')
  await expect(conversation.locator('[data-column="rtt"]')).toHaveText(/ms$/)

  const downloadPromise = page.waitForEvent('download')
  await page.getByTestId('export-conversations-csv').click()
  const download = await downloadPromise
  const saved = join(workDirectory, 'conversations.csv')
  await download.saveAs(saved)
  const [header = '', line = ''] = (await readFile(saved, 'utf8')).split('\r\n')
  const columns = header.split(',')
  expect(line.split(',')[columns.indexOf('retransmissions')]).toBe('2')
  expect(line.split(',')[columns.indexOf('duplicate_acks')]).toBe('9')
  expect(line.split(',')[columns.indexOf('rtt_samples')]).toBe('5')

  await conversation.getByTestId('follow-stream-button').click()
  await expect(page.locator('[data-testid="follow-body"] .retransmitted')).toHaveCount(2)
})
