/**
 * Test connections in Chromium against the real backend in web mode: a repeated TCP probe fills
 * the latency chart, a TLS probe shows the certificate of a server this test runs, a socket row
 * pre-fills the probe form, and a result exports as JSON.
 */
import { readFile } from 'node:fs/promises'
import { createServer as createTlsServer } from 'node:tls'
import { expect, test } from '@playwright/test'
import { openApp, showView } from './support/app'
import { README_SCREENSHOT, saveScreenshot } from './support/screenshots'
import { listenerFilter, listenerRow } from './support/socket-rows'
import { paintedPixelCount } from './support/page-state'
import { startTcpServer } from '../support/loopback-servers'
import { createTestCertificates } from '../support/probes/test-certificates'

test('a repeated TCP probe fills the latency chart and the figures', async ({ page }) => {
  const server = await startTcpServer()
  try {
    await openApp(page)
    await showView(page, 'probe')
    await page.locator('[data-probe-tab="repeat"]').click()
    await page.getByTestId('repeat-target').fill(`127.0.0.1:${server.port}`)
    await page.getByTestId('repeat-count').fill('8')
    await page.getByTestId('repeat-interval').fill('100')
    await page.getByTestId('repeat-start').click()

    const chart = page.getByTestId('latency-chart')
    await expect(chart).toHaveAttribute('data-points', /^[1-8]$/)
    await expect(page.getByTestId('repeat-sent')).toHaveText('8')
    await expect(chart).toHaveAttribute('data-points', '8')
    await expect(page.getByTestId('repeat-state')).toHaveText('finished')
    await expect(page.getByTestId('repeat-loss')).toHaveText('0%')
    await expect(page.getByTestId('repeat-p95')).toHaveText(/^\d+\.\d{3} ms$/)
    await expect(page.getByTestId('repeat-jitter')).toHaveText(/^\d+\.\d{3} ms$/)
    expect(server.accepted).toHaveLength(8)
    await expect.poll(() => paintedPixelCount(page, '[data-testid="latency-chart"] canvas')).toBeGreaterThan(500)
    await saveScreenshot(page, 'repeat')

    const entry = page.getByTestId('history-entry').first()
    await expect(entry).toHaveAttribute('data-kind', 'repeat')
    await expect(entry).toContainText('8 sent, 0% loss')
  } finally {
    await server.close()
  }
})

test('a TLS probe shows the certificate chain and why it is not trusted; the result exports as JSON', README_SCREENSHOT, async ({ page }) => {
  const certificates = await createTestCertificates()
  const server = createTlsServer({ key: certificates.selfSigned.key, cert: certificates.selfSigned.certificate, ALPNProtocols: ['h2', 'http/1.1'] }, (socket) => socket.end())
  server.on('tlsClientError', () => {})
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()))
  const port = (server.address() as { port: number }).port
  try {
    await openApp(page)
    await showView(page, 'probe')
    await page.locator('[data-probe-tab="tls"]').click()
    await page.getByTestId('tls-target').fill(`localhost:${port}`)
    await page.getByTestId('tls-run').click()

    const result = page.getByTestId('probe-result')
    await expect(result).toHaveAttribute('data-kind', 'tls')
    await expect(page.getByTestId('probe-verdict')).toHaveText('Failed')
    await expect(page.getByTestId('probe-error')).toHaveAttribute('data-kind', 'tls')
    await expect(page.getByTestId('tls-verdict')).toContainText('self-signed')
    await expect(page.getByTestId('tls-protocol')).toHaveText('TLSv1.3')
    await expect(page.getByTestId('tls-alpn-result')).toContainText('h2')
    await expect(page.getByTestId('certificate')).toHaveCount(1)
    await expect(page.getByTestId('certificate-subject')).toHaveText('CN=localhost, O=sockscope tests')
    await expect(page.getByTestId('certificate-names')).toHaveText('DNS:localhost, IP Address:127.0.0.1')
    await expect(page.getByTestId('certificate-expiry')).toContainText('days left')
    await expect(page.getByTestId('certificate-fingerprint')).toHaveText(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/)
    await saveScreenshot(page, 'probe')

    const download = page.waitForEvent('download')
    await page.getByTestId('export-json').first().click()
    const saved = await (await download).path()
    const exported = JSON.parse(await readFile(saved, 'utf8'))
    expect(exported).toMatchObject({ kind: 'tls', protocol: 'TLSv1.3', authorized: false, authorizationReason: 'self-signed' })
    expect(exported.certificates[0].subjectAltNames).toEqual(['DNS:localhost', 'IP Address:127.0.0.1'])

    await page.getByTestId('tls-insecure').check()
    await page.getByTestId('tls-run').click()
    await expect(page.getByTestId('probe-verdict')).toHaveText('OK')
    await expect(page.getByTestId('tls-verdict')).toContainText('Accepted anyway')
  } finally {
    await new Promise((done) => server.close(done))
    await certificates.remove()
  }
})

test('"Probe this listener" on a socket row fills the TCP form', async ({ page }) => {
  const server = await startTcpServer()
  try {
    await openApp(page)
    await page.getByTestId('filter-input').fill(listenerFilter(server.port))
    const row = listenerRow(page, server.port)
    await expect(row).toHaveCount(1)
    await row.click()
    await page.locator('[data-action="probe-listener"]').click()
    await expect(page.getByTestId('probe-view')).toBeVisible()
    await expect(page.getByTestId('tcp-target')).toHaveValue(`127.0.0.1:${server.port}`)
    await page.getByTestId('tcp-run').click()
    await expect(page.getByTestId('probe-verdict')).toHaveText('OK')
    await expect(page.getByTestId('result-connect')).toContainText(`127.0.0.1:${server.port}:`)
  } finally {
    await server.close()
  }
})

test('bad input is refused in the form before anything is sent', async ({ page }) => {
  await openApp(page)
  await showView(page, 'probe')
  await page.locator('[data-probe-tab="tcp"]').click()
  await page.getByTestId('tcp-target').fill('::1:80')
  await page.getByTestId('tcp-run').click()
  await expect(page.getByTestId('tcp-error')).toContainText('put it in brackets')
  await page.getByTestId('tcp-target').fill('127.0.0.1:70000')
  await page.getByTestId('tcp-run').click()
  await expect(page.getByTestId('tcp-error')).toContainText('out of range')
})

test('web mode says remote targets are off and which serve flag allows them, and refuses them with that sentence', async ({ page }) => {
  await openApp(page)
  await showView(page, 'probe')
  const note = page.getByTestId('probe-policy')
  await expect(note).toHaveAttribute('data-remote-targets', 'deny')
  await expect(note).toContainText('Remote targets are off')
  await expect(note).toContainText('--allow-remote-targets')

  // 192.0.2.1 is a documentation address: the refusal comes before any packet is sent.
  await page.locator('[data-probe-tab="holder"]').click()
  await expect(page.getByTestId('holder-hint')).toContainText('Loopback targets only')
  await page.getByTestId('holder-target').fill('192.0.2.1:80')
  await page.getByTestId('holder-count').fill('3')
  await page.getByTestId('holder-open').click()
  await expect(page.getByTestId('holder-error')).toContainText('not on this machine')
  await expect(page.getByTestId('holder-error')).toContainText('--allow-remote-targets')
  await expect(page.getByTestId('holder-confirm')).toHaveCount(0)

  await page.locator('[data-probe-tab="tcp"]').click()
  await page.getByTestId('tcp-target').fill('192.0.2.1:80')
  await page.getByTestId('tcp-run').click()
  await expect(page.getByTestId('tcp-error')).toContainText('--allow-remote-targets')

  await page.locator('[data-probe-tab="listener"]').click()
  await page.getByTestId('listener-address').fill('0.0.0.0')
  await page.getByTestId('listener-start').click()
  await expect(page.getByTestId('listener-error')).toContainText('loopback addresses only')
  await expect(page.getByTestId('listener-error')).toContainText('--allow-remote-targets')
})
