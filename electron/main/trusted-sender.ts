/** Decides whether an IPC message comes from one of sockscope's own windows. */
import type { WebContents, WebFrameMain } from 'electron'

/**
 * True when `frame` is the main frame of a window we created and shows our own page. A message
 * from anything else (a subframe, a navigated-away page, another webContents) is dropped.
 */
export function isTrustedSender(sender: WebContents, frame: WebFrameMain | null, ownWindows: ReadonlySet<number>, appUrl: string): boolean {
  if (!frame || !ownWindows.has(sender.id)) return false
  if (frame !== sender.mainFrame) return false
  return isAppUrl(frame.url, appUrl)
}

/** True when `url` is the app's own page (ignoring the hash and query). */
export function isAppUrl(url: string, appUrl: string): boolean {
  try {
    const actual = new URL(url)
    const expected = new URL(appUrl)
    return actual.protocol === expected.protocol && actual.host === expected.host && actual.pathname === expected.pathname
  } catch {
    return false
  }
}
