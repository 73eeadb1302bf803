/** Opens the web-mode UI started by the global setup. */
import type { Page } from '@playwright/test'

/** The tokened URL of the running `sockscope serve`. */
export function appUrl(): string {
  const url = process.env.SOCKSCOPE_URL
  if (!url) throw new Error('SOCKSCOPE_URL is not set: the e2e global setup did not run')
  return url
}

/** The pid of the `sockscope serve` process under test. */
export function serverPid(): number {
  return Number(process.env.SOCKSCOPE_SERVER_PID)
}

/** Loads the app and waits until the first socket table has arrived. */
export async function openApp(page: Page): Promise<void> {
  await page.goto(appUrl())
  await page.getByTestId('socket-table').waitFor()
  await page.waitForFunction(() => !document.querySelector('[data-testid="socket-count"]')?.textContent?.startsWith('0 '))
}

/** Switches to a view by its tab. */
export async function showView(page: Page, view: string): Promise<void> {
  await page.locator(`.tab[data-view="${view}"]`).click()
}
