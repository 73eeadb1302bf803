/**
 * Threat: a frame that is not our own page (a subframe, a page navigated elsewhere, another
 * webContents) sends IPC to drive the backend. Only our window's main frame showing our page passes.
 */
import type { WebContents, WebFrameMain } from 'electron'
import { describe, expect, it } from 'vitest'
import { isAppUrl, isTrustedSender } from '../../../electron/main/trusted-sender'

const appUrl = 'file:///opt/sockscope/out/renderer/index.html'

function frame(url: string): WebFrameMain {
  return { url } as WebFrameMain
}

function sender(id: number, mainFrame: WebFrameMain): WebContents {
  return { id, mainFrame } as WebContents
}

describe('isAppUrl', () => {
  it('accepts our page with any query or hash', () => {
    expect(isAppUrl(appUrl, appUrl)).toBe(true)
    expect(isAppUrl(`${appUrl}?x=1#charts`, appUrl)).toBe(true)
  })

  it('refuses other files, hosts and schemes', () => {
    expect(isAppUrl('file:///tmp/evil.html', appUrl)).toBe(false)
    expect(isAppUrl('https://example.com/out/renderer/index.html', appUrl)).toBe(false)
    expect(isAppUrl('http://localhost:5173/', 'http://localhost:5174/')).toBe(false)
    expect(isAppUrl('not a url', appUrl)).toBe(false)
  })
})

describe('isTrustedSender', () => {
  const main = frame(appUrl)
  const windows = new Set([7])

  it('trusts the main frame of our own window', () => {
    expect(isTrustedSender(sender(7, main), main, windows, appUrl)).toBe(true)
  })

  it('refuses subframes, foreign webContents, missing frames and navigated pages', () => {
    expect(isTrustedSender(sender(7, main), frame(appUrl), windows, appUrl)).toBe(false)
    expect(isTrustedSender(sender(8, main), main, windows, appUrl)).toBe(false)
    expect(isTrustedSender(sender(7, main), null, windows, appUrl)).toBe(false)
    const elsewhere = frame('https://attacker.example/')
    expect(isTrustedSender(sender(7, elsewhere), elsewhere, windows, appUrl)).toBe(false)
  })
})
