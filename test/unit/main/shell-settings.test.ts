/**
 * Threats: a packaged app that loads whatever page an environment variable names (anyone who can
 * set it runs their page with the app's IPC); DevTools a user of the release can open to drive
 * the backend by hand; a page whose only policy is a meta tag that can be dropped or loosened.
 */
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { MenuItemConstructorOptions } from 'electron'
import { describe, expect, it } from 'vitest'
import { applicationMenuTemplate, CONTENT_SECURITY_POLICY, rendererLocation, windowWebPreferences, withContentSecurityPolicy } from '../../../electron/main/shell-settings'

const builtPage = '/opt/sockscope/resources/app/out/renderer/index.html'
const builtUrl = pathToFileURL(builtPage).toString()

/** Every role in a menu template, submenus included. */
function roles(template: readonly MenuItemConstructorOptions[]): string[] {
  return template.flatMap((item) => [...(item.role === undefined ? [] : [item.role]), ...(Array.isArray(item.submenu) ? roles(item.submenu) : [])])
}

describe('rendererLocation', () => {
  it('loads the built page when no development server is named', () => {
    expect(rendererLocation({ isPackaged: false, developmentUrl: undefined, builtPage })).toEqual({ appUrl: builtUrl, ignoredDevelopmentUrl: null })
    expect(rendererLocation({ isPackaged: true, developmentUrl: '', builtPage })).toEqual({ appUrl: builtUrl, ignoredDevelopmentUrl: null })
  })

  it('uses a local development server only when the app is not packaged', () => {
    expect(rendererLocation({ isPackaged: false, developmentUrl: 'http://localhost:5173', builtPage }).appUrl).toBe('http://localhost:5173/')
    const packaged = rendererLocation({ isPackaged: true, developmentUrl: 'http://localhost:5173', builtPage })
    expect(packaged.appUrl).toBe(builtUrl)
    expect(packaged.ignoredDevelopmentUrl).toContain('packaged')
  })

  it('ignores a development URL that is not http(s) on this machine', () => {
    for (const developmentUrl of ['https://attacker.example/', 'file:///tmp/page.html', 'http://192.0.2.1:5173/', 'not a url']) {
      const location = rendererLocation({ isPackaged: false, developmentUrl, builtPage })
      expect(location.appUrl, developmentUrl).toBe(builtUrl)
      expect(location.ignoredDevelopmentUrl, developmentUrl).not.toBeNull()
    }
    expect(rendererLocation({ isPackaged: false, developmentUrl: 'http://[::1]:5173/', builtPage }).appUrl).toBe('http://[::1]:5173/')
  })
})

describe('applicationMenuTemplate', () => {
  it('offers DevTools in development only', () => {
    expect(roles(applicationMenuTemplate({ isDevelopment: true, platform: 'linux' }))).toContain('toggleDevTools')
    const release = roles(applicationMenuTemplate({ isDevelopment: false, platform: 'linux' }))
    expect(release).not.toContain('toggleDevTools')
    expect(release).toEqual(expect.arrayContaining(['fileMenu', 'editMenu', 'reload', 'zoomIn', 'windowMenu']))
  })

  it('adds the app menu on macOS', () => {
    expect(roles(applicationMenuTemplate({ isDevelopment: false, platform: 'darwin' }))[0]).toBe('appMenu')
    expect(roles(applicationMenuTemplate({ isDevelopment: false, platform: 'linux' }))).not.toContain('appMenu')
  })
})

describe('windowWebPreferences', () => {
  it('isolates and sandboxes the page, and allows DevTools in development only', () => {
    const release = windowWebPreferences('/app/preload.js', false)
    expect(release).toMatchObject({
      preload: '/app/preload.js',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      devTools: false
    })
    expect(windowWebPreferences('/app/preload.js', true).devTools).toBe(true)
  })
})

describe('withContentSecurityPolicy', () => {
  it('adds the policy header and keeps the other headers', () => {
    expect(withContentSecurityPolicy({ 'Content-Type': ['text/html'], 'X-One': 'value' })).toEqual({
      'Content-Type': ['text/html'],
      'X-One': ['value'],
      'Content-Security-Policy': [CONTENT_SECURITY_POLICY]
    })
    expect(withContentSecurityPolicy(undefined)).toEqual({ 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] })
  })

  it('replaces a looser policy under any spelling of the header name', () => {
    const headers = withContentSecurityPolicy({ 'content-security-policy': ["script-src 'unsafe-inline'"], 'CONTENT-SECURITY-POLICY': '*' })
    expect(headers).toEqual({ 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] })
  })

  it('is the policy of the page’s own meta tag', async () => {
    const html = await readFile(resolve(__dirname, '../../../renderer/index.html'), 'utf8')
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)
    expect(meta?.[1]).toBe(CONTENT_SECURITY_POLICY)
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'")
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe')
  })
})
