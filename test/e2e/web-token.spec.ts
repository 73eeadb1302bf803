/**
 * Threat: the web-mode token leaking from the browser. It must leave the address bar once the page
 * has read it, never be stored as a cookie (a cookie for 127.0.0.1 goes to every local service,
 * whatever its port), and a page without a valid token must say what to do instead of failing
 * silently. A reload keeps working from the tab's own session storage.
 */
import { expect, test, type Page } from '@playwright/test'
import WebSocket from 'ws'
import { appUrl, openApp } from './support/app'
import { startServe } from './support/serve-process'

async function expectLiveTable(page: Page): Promise<void> {
  await expect(page.getByTestId('socket-table').locator('.socket-row').first()).toBeVisible()
  await expect(page.getByTestId('access-notice')).toHaveCount(0)
  await expect(page.getByTestId('connection-lost')).toHaveCount(0)
}

test('the token leaves the address bar, a reload still works, and no cookie is stored', async ({ page, context }) => {
  await openApp(page)
  await expectLiveTable(page)
  expect(new URL(page.url()).search).toBe('')
  expect(page.url()).not.toContain(new URL(appUrl()).searchParams.get('token') as string)
  expect(await context.cookies()).toEqual([])

  await page.reload()
  await expectLiveTable(page)
  expect(new URL(page.url()).search).toBe('')
  expect(await context.cookies()).toEqual([])
})

test('a page opened without the token says to open the address sockscope serve printed', async ({ page }) => {
  await page.goto(new URL(appUrl()).origin + '/')
  const notice = page.getByTestId('access-notice')
  await expect(notice).toHaveAttribute('data-refusal', 'no-token')
  await expect(notice).toContainText('Open the address that "sockscope serve" printed')
  await expect(page.getByTestId('socket-table')).toHaveCount(0)
})

test('a page whose token the server no longer accepts says the server was restarted', async ({ page }) => {
  const stale = new URL(appUrl())
  stale.searchParams.set('token', 'A'.repeat(32))
  await page.goto(stale.toString())
  const notice = page.getByTestId('access-notice')
  await expect(notice).toHaveAttribute('data-refusal', 'token-rejected')
  await expect(notice).toContainText('The server was probably restarted')
  expect(new URL(page.url()).search).toBe('')
})

test('a page beyond the client limit says so, and connects by itself once there is room', async ({ page }) => {
  const server = await startServe('--no-resolve')
  const others: WebSocket[] = []
  try {
    const { origin, host, searchParams } = new URL(server.url)
    for (let index = 0; index < 16; index++) {
      const other = new WebSocket(`ws://${host}/api?token=${searchParams.get('token')}`, { headers: { origin } })
      await new Promise((resolve, reject) => {
        other.once('open', resolve)
        other.once('error', reject)
      })
      others.push(other)
    }
    await page.goto(server.url)
    await expect(page.getByTestId('access-notice')).toHaveAttribute('data-refusal', 'too-many-clients')
    others.pop()?.close()
    await expectLiveTable(page)
  } finally {
    for (const other of others) other.close()
    await server.stop()
  }
})
