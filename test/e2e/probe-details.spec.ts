/**
 * Probe details a user reads: a TLS probe to a port whose service only speaks plain TCP says so,
 * instead of blaming a firewall for the silence, and a UDP probe refused by ICMP says when.
 */
import { createServer, type Socket } from 'node:net'
import { createServer as createTlsServer } from 'node:tls'
import { expect, test } from '@playwright/test'
import { openApp, showView } from './support/app'
import { closedUdpPort, startUdpServer } from '../support/loopback-servers'
import { answerWithARecord } from '../support/capture/dns-message-builder'
import { createTestCertificates } from '../support/probes/test-certificates'

test('a TLS probe to a silent plain-TCP port says the service does not speak TLS', async ({ page }) => {
  const held: Socket[] = []
  // Takes connections and waits for its own protocol, as a plain TCP service does: it never answers a TLS hello.
  const server = createServer((socket) => held.push(socket))
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()))
  const port = (server.address() as { port: number }).port
  try {
    await openApp(page)
    await showView(page, 'probe')
    await page.locator('[data-probe-tab="tls"]').click()
    await page.getByTestId('tls-target').fill(`127.0.0.1:${port}`)
    await page.getByTestId('tls-form').locator('input[placeholder="5000"]').fill('1000')
    await page.getByTestId('tls-run').click()
    const error = page.getByTestId('probe-error')
    await expect(error).toHaveAttribute('data-kind', 'tls')
    await expect(error).toContainText('does not speak TLS')
    await expect(error).not.toContainText('firewall')
  } finally {
    for (const socket of held) socket.destroy()
    await new Promise((done) => server.close(done))
  }
})

test('a UDP probe to a closed port reports when the ICMP refusal came, not a count of replies', async ({ page }) => {
  const port = await closedUdpPort()
  await openApp(page)
  await showView(page, 'probe')
  await page.locator('[data-probe-tab="udp"]').click()
  await page.getByTestId('udp-target').fill(`127.0.0.1:${port}`)
  await page.getByTestId('udp-form').locator('textarea').fill('hello')
  await page.getByTestId('udp-run').click()
  await expect(page.getByTestId('probe-error')).toHaveAttribute('data-kind', 'refused')
  await expect(page.getByTestId('udp-reply-count')).toHaveText(/^none: refused with ICMP port unreachable after \d+\.\d{3} ms$/)
  await expect(page.getByTestId('probe-error')).toContainText(/after \d+\.\d{3} ms/)
})

test("the Holder and Listener tabs show their own panels, not the last probe's result", async ({ page }) => {
  const server = createServer((socket) => socket.end())
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()))
  const port = (server.address() as { port: number }).port
  try {
    await openApp(page)
    await showView(page, 'probe')
    await page.locator('[data-probe-tab="tcp"]').click()
    await page.getByTestId('tcp-target').fill(`127.0.0.1:${port}`)
    await page.getByTestId('tcp-form').locator('button[type="submit"]').click()
    await expect(page.getByTestId('probe-result')).toHaveAttribute('data-kind', 'tcp')
    for (const tab of ['holder', 'listener', 'repeat']) {
      await page.locator(`[data-probe-tab="${tab}"]`).click()
      await expect(page.getByTestId('probe-result'), tab).toHaveCount(0)
    }
    await page.locator('[data-probe-tab="tcp"]').click()
    await expect(page.getByTestId('probe-result')).toHaveAttribute('data-kind', 'tcp')
  } finally {
    await new Promise((done) => server.close(done))
  }
})

test('a repeated probe whose every attempt failed shows no empty latency chart', async ({ page }) => {
  const server = createServer()
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()))
  const port = (server.address() as { port: number }).port
  // Nothing listens there any more: every attempt is refused.
  await new Promise((done) => server.close(done))
  await openApp(page)
  await showView(page, 'probe')
  await page.locator('[data-probe-tab="repeat"]').click()
  await page.getByTestId('repeat-target').fill(`127.0.0.1:${port}`)
  await page.getByTestId('repeat-count').fill('3')
  await page.getByTestId('repeat-interval').fill('100')
  await page.getByTestId('repeat-start').click()
  await expect(page.getByTestId('repeat-state')).toHaveText('finished')
  await expect(page.getByTestId('repeat-loss')).toHaveText('100%')
  await expect(page.getByTestId('latency-chart-empty')).toContainText('No attempt has connected yet')
  await expect(page.getByTestId('latency-chart')).toHaveCount(0)
  await expect(page.getByTestId('repeat-panel').locator('canvas')).toHaveCount(0)
})

test('long certificate text wraps between words, not inside them', async ({ page }) => {
  const certificates = await createTestCertificates()
  const server = createTlsServer({ key: certificates.selfSigned.key, cert: certificates.selfSigned.certificate }, (socket) => socket.end())
  server.on('tlsClientError', () => {})
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()))
  const port = (server.address() as { port: number }).port
  try {
    // Narrow enough that the subject and names take more than one line.
    await page.setViewportSize({ width: 1000, height: 800 })
    await openApp(page)
    await showView(page, 'probe')
    await page.locator('[data-probe-tab="tls"]').click()
    await page.getByTestId('tls-target').fill(`localhost:${port}`)
    await page.getByTestId('tls-run').click()
    const names = page.getByTestId('certificate-names')
    await expect(names).toHaveText('DNS:localhost, IP Address:127.0.0.1')
    await names.evaluate((element) => {
      element.style.width = '150px'
    })
    // Wider than its longest word, narrower than the whole: each word sits on one line (a word broken across lines has more than one box).
    const split = await names.evaluate((element) => {
      const text = element.firstChild
      if (!text || !text.textContent) return ['no text']
      const broken: string[] = []
      for (const match of text.textContent.matchAll(/\S+/g)) {
        const range = document.createRange()
        range.setStart(text, match.index)
        range.setEnd(text, match.index + match[0].length)
        if (range.getClientRects().length > 1) broken.push(match[0])
      }
      return broken
    })
    expect(split).toEqual([])
    // And the text does wrap: its lines start at two different heights at least.
    const lines = await names.evaluate((element) => {
      const range = document.createRange()
      range.selectNodeContents(element)
      return new Set([...range.getClientRects()].map((box) => Math.round(box.top))).size
    })
    expect(lines).toBeGreaterThanOrEqual(2)
  } finally {
    await new Promise((done) => server.close(done))
  }
})

test('an answer to the DNS preset from a service that is not DNS is flagged; a real DNS answer is not', async ({ page }) => {
  // An echo service sends the query straight back; a DNS server answers it.
  const echo = await startUdpServer((message, remote, socket) => socket.send(message, remote.port, remote.address))
  const dns = await startUdpServer((message, remote, socket) => socket.send(answerWithARecord(message), remote.port, remote.address))
  try {
    await openApp(page)
    await showView(page, 'probe')
    await page.locator('[data-probe-tab="udp"]').click()
    await page.getByTestId('udp-dns-preset').check()
    await page.getByTestId('udp-target').fill(`127.0.0.1:${echo.port}`)
    await page.getByTestId('udp-run').click()
    await expect(page.getByTestId('udp-reply').first()).toBeVisible()
    await expect(page.getByTestId('udp-reply-not-dns')).toContainText('Not a DNS answer')
    // The echoed query is binary: it shows as a hex dump that stays inside the result.
    const hex = page.getByTestId('udp-reply').first().getByTestId('hex-view')
    await expect(hex).toHaveText(/^0000 {2}([0-9a-f]{2} ){15}[0-9a-f]{2} {2}\|.{16}\|\n0010 /)
    const [hexRight, resultRight] = await Promise.all([
      hex.evaluate((element) => element.getBoundingClientRect().right),
      page.getByTestId('probe-result').evaluate((element) => element.getBoundingClientRect().right)
    ])
    expect(hexRight).toBeLessThanOrEqual(resultRight)

    await page.getByTestId('udp-target').fill(`127.0.0.1:${dns.port}`)
    await page.getByTestId('udp-run').click()
    await expect(page.getByTestId('udp-reply').first()).toContainText('192.0.2.7')
    await expect(page.getByTestId('udp-reply-not-dns')).toHaveCount(0)
  } finally {
    await echo.close()
    await dns.close()
  }
})
