// @vitest-environment happy-dom
/**
 * Threat: the web-mode token lingering where others can read it: in the address bar (shoulder
 * surfing, screen shares, copied links), in history, or in a cookie sent to every port of
 * 127.0.0.1. The page takes it from its address once and keeps it only in this tab.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { takePageToken, TOKEN_STORAGE_KEY } from '../../../renderer/src/transport/page-token'

beforeEach(() => {
  window.sessionStorage.clear()
  window.history.replaceState(null, '', '/')
})

describe('takePageToken', () => {
  it('takes the token from the address, keeps it for this tab and removes it from the address bar', () => {
    window.history.replaceState(null, '', '/?view=probe&token=abc123#details')
    expect(takePageToken(window)).toBe('abc123')
    expect(window.location.search).toBe('?view=probe')
    expect(window.location.hash).toBe('#details')
    expect(window.location.href).not.toContain('abc123')
    expect(window.sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBe('abc123')
    expect(document.cookie).toBe('')
  })

  it('finds the kept token again after a reload, when the address no longer has it', () => {
    window.history.replaceState(null, '', '/?token=kept-one')
    takePageToken(window)
    expect(window.location.search).toBe('')
    expect(takePageToken(window)).toBe('kept-one')
  })

  it('prefers a token in the address to an older kept one (a new server start)', () => {
    window.sessionStorage.setItem(TOKEN_STORAGE_KEY, 'old')
    window.history.replaceState(null, '', '/?token=new')
    expect(takePageToken(window)).toBe('new')
    expect(window.sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBe('new')
  })

  it('returns null when the page was opened without a token', () => {
    expect(takePageToken(window)).toBeNull()
  })

  it('still works from memory when session storage refuses writes', () => {
    window.history.replaceState(null, '', '/?token=memory-only')
    const refusing = {
      location: window.location,
      history: window.history,
      sessionStorage: {
        getItem: () => null,
        setItem: () => {
          throw new Error('storage disabled')
        }
      }
    }
    expect(takePageToken(refusing)).toBe('memory-only')
    expect(window.location.search).toBe('')
  })
})
