/**
 * Bad values typed into any form come back as sentences a user can act on: never a schema summary
 * ("× Invalid value: Expected >=1 …"), a channel name ("leaks/update-settings: …") or a stack.
 */
import { expect, test, type Locator, type Page } from '@playwright/test'
import { openApp, showView } from './support/app'

/** What developer text looks like: valibot's marks and words, or a channel name before a colon. */
const DEVELOPER_TEXT = /×|→|Invalid (value|type|key|length)|Expected|received|\b[a-z]+\/[a-z-]+:/

async function expectSentence(message: Locator, sentence: string): Promise<void> {
  await expect(message).toHaveText(sentence)
  expect(await message.textContent()).not.toMatch(DEVELOPER_TEXT)
}

async function probeTab(page: Page, tab: string): Promise<void> {
  await showView(page, 'probe')
  await page.locator(`[data-probe-tab="${tab}"]`).click()
}

test.beforeEach(async ({ page }) => {
  await openApp(page)
})

test('the leak thresholds form names the refused threshold by its label', async ({ page }) => {
  await showView(page, 'charts')
  await page.getByText('Thresholds and notifications').click()
  const input = page.locator('input[data-setting="closeWaitMinimumCount"]')
  const before = await input.inputValue()
  await input.fill('0')
  await input.dispatchEvent('change')
  await expectSentence(page.locator('.findings-panel .error-banner'), '“CLOSE_WAIT sockets at least” must be at least 1.')
  // Nothing was applied: the server still holds the threshold it had.
  await page.reload()
  await showView(page, 'charts')
  await page.getByText('Thresholds and notifications').click()
  await expect(page.locator('input[data-setting="closeWaitMinimumCount"]')).toHaveValue(before)
})

test('the capture form says a filter is too long instead of showing the schema', async ({ page }) => {
  await showView(page, 'capture')
  await page.getByTestId('capture-interface').selectOption('lo')
  // Longer than the 16384 characters a capture filter may have: "Capture this" on a busy process once built such filters.
  await page.getByTestId('capture-filter').fill(Array.from({ length: 1700 }, (_, index) => `port ${10000 + index}`).join(' or '))
  await page.getByTestId('capture-start').click()
  await expectSentence(page.getByTestId('capture-filter-error'), 'The filter must be at most 16384 characters long.')
  await expect(page.getByTestId('capture-start')).toBeVisible()
})

test('each probe, listener and holder form answers a bad value with a sentence', async ({ page }) => {
  await probeTab(page, 'tcp')
  await page.getByTestId('tcp-target').fill('127.0.0.1:70000')
  await page.getByTestId('tcp-form').locator('button[type="submit"]').click()
  await expectSentence(page.getByTestId('tcp-error'), 'The port 70000 is out of range; use 1-65535.')

  await probeTab(page, 'repeat')
  await page.getByTestId('repeat-target').fill('127.0.0.1:1')
  await page.getByTestId('repeat-interval').fill('1')
  await page.getByTestId('repeat-start').click()
  await expect(page.getByTestId('repeat-error')).toContainText('interval')
  expect(await page.getByTestId('repeat-error').textContent()).not.toMatch(DEVELOPER_TEXT)

  await probeTab(page, 'tls')
  await page.getByTestId('tls-target').fill('127.0.0.1')
  await page.getByTestId('tls-run').click()
  await expect(page.getByTestId('tls-error')).toContainText('port')
  expect(await page.getByTestId('tls-error').textContent()).not.toMatch(DEVELOPER_TEXT)

  await probeTab(page, 'udp')
  await page.getByTestId('udp-target').fill('127.0.0.1:0')
  await page.getByTestId('udp-run').click()
  await expect(page.getByTestId('udp-error')).toContainText('port')
  expect(await page.getByTestId('udp-error').textContent()).not.toMatch(DEVELOPER_TEXT)

  await probeTab(page, 'listener')
  await page.getByTestId('listener-port').fill('70000')
  await page.getByTestId('listener-form').locator('button[type="submit"]').click()
  await expect(page.getByTestId('listener-error')).toContainText('port')
  expect(await page.getByTestId('listener-error').textContent()).not.toMatch(DEVELOPER_TEXT)

  await probeTab(page, 'holder')
  await page.getByTestId('holder-target').fill('127.0.0.1:1')
  await page.getByTestId('holder-count').fill('0')
  await page.getByTestId('holder-form').locator('button[type="submit"]').click()
  await expect(page.getByTestId('holder-error')).toContainText('must be between 1 and 1000')
  expect(await page.getByTestId('holder-error').textContent()).not.toMatch(DEVELOPER_TEXT)
})
