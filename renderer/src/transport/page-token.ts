/**
 * The web-mode token, taken from the address the user opened once and then kept only in this tab:
 * in memory and in session storage (so a reload works), never in a cookie, and no longer in the
 * address bar, history or anything copied from it.
 */

/** The session-storage key holding this tab's token. */
export const TOKEN_STORAGE_KEY = 'sockscope.token'

/** The parts of `window` the token is read from and hidden in. */
export interface TokenPageWindow {
  readonly location: Pick<Location, 'href'>
  readonly history: Pick<History, 'replaceState' | 'state'>
  readonly sessionStorage: Pick<Storage, 'getItem' | 'setItem'>
}

/**
 * Takes the token out of the page's `?token=` (storing it for reloads and removing it from the
 * address bar), or returns the one stored earlier in this tab; null when there is neither.
 */
export function takePageToken(page: TokenPageWindow): string | null {
  const address = new URL(page.location.href)
  const fromAddress = address.searchParams.get('token')
  if (!fromAddress) return readStored(page)
  try {
    page.sessionStorage.setItem(TOKEN_STORAGE_KEY, fromAddress)
  } catch {
    // Storage turned off: the token still works from memory until the tab is reloaded.
  }
  address.searchParams.delete('token')
  page.history.replaceState(page.history.state, '', `${address.pathname}${address.search}${address.hash}`)
  return fromAddress
}

function readStored(page: TokenPageWindow): string | null {
  try {
    return page.sessionStorage.getItem(TOKEN_STORAGE_KEY) || null
  } catch {
    return null
  }
}
