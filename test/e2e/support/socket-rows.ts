/**
 * Finding the row of a listener the test opened. A port number alone is not enough: a TIME_WAIT
 * socket left by another test, or a connection to an earlier listener, may carry the same number.
 */
import type { Locator, Page } from '@playwright/test'

/** The table filter that shows only the TCP listener on 127.0.0.1:port. */
export function listenerFilter(port: number): string {
  return `proto:tcp4 laddr:127.0.0.1 lport:${port} state:listen`
}

/** The table row of the TCP listener on 127.0.0.1:port (its id begins with both ends). */
export function listenerRow(page: Page, port: number): Locator {
  return page.locator(`.socket-row[data-socket-id^="tcp4 127.0.0.1|${port} 0.0.0.0|0 "]`)
}
