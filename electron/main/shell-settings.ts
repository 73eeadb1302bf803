/**
 * The desktop shell's decisions as plain functions: which page the window loads, the security
 * policy every response carries, the window's web preferences and the menu. electron/main/index.ts
 * only hands their results to Electron, so each decision is tested without it.
 */
import { pathToFileURL } from 'node:url'
import type { MenuItemConstructorOptions, WebPreferences } from 'electron'

/**
 * The renderer's Content Security Policy: only its own scripts, styles and connections, no
 * plugins, no <base>, no form posts. The same text is in renderer/index.html's meta tag; the
 * header also covers responses the tag cannot (and a page whose tag was removed).
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'"

/** Response headers as Electron's webRequest hands them over. */
export type ResponseHeaders = Record<string, string | string[]>

/** The headers with our Content Security Policy in place of any the response carried. */
export function withContentSecurityPolicy(headers: ResponseHeaders | undefined): Record<string, string[]> {
  const result: Record<string, string[]> = {}
  for (const [name, value] of Object.entries(headers ?? {})) {
    // Header names are case-insensitive: a second policy under another spelling would be merged in.
    if (name.toLowerCase() === 'content-security-policy') continue
    result[name] = Array.isArray(value) ? value : [value]
  }
  result['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY]
  return result
}

/** Where the window's page comes from. */
export interface RendererLocation {
  /** The page's URL; IPC is only trusted from a frame showing it. */
  readonly appUrl: string
  /** Set when ELECTRON_RENDERER_URL was given but not used, with the reason (for a log line). */
  readonly ignoredDevelopmentUrl: string | null
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/**
 * The built page, unless this is an unpackaged development run with a development server on this
 * machine (ELECTRON_RENDERER_URL, set by electron-vite dev). A packaged app never takes its page
 * from the environment: anyone who can set a variable for it could otherwise load their own page
 * with the app's privileges.
 */
export function rendererLocation(options: { readonly isPackaged: boolean; readonly developmentUrl: string | undefined; readonly builtPage: string }): RendererLocation {
  const built = pathToFileURL(options.builtPage).toString()
  const requested = options.developmentUrl
  if (requested === undefined || requested === '') return { appUrl: built, ignoredDevelopmentUrl: null }
  if (options.isPackaged) return { appUrl: built, ignoredDevelopmentUrl: 'a packaged app always loads its own page' }
  let url: URL
  try {
    url = new URL(requested)
  } catch {
    return { appUrl: built, ignoredDevelopmentUrl: 'it is not a URL' }
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !LOOPBACK_HOSTS.has(url.hostname)) {
    return { appUrl: built, ignoredDevelopmentUrl: 'a development server must be http(s) on localhost' }
  }
  return { appUrl: url.toString(), ignoredDevelopmentUrl: null }
}

/** The main window's web preferences: isolated, sandboxed, no Node, DevTools only in development. */
export function windowWebPreferences(preload: string, isDevelopment: boolean): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
    devTools: isDevelopment
  }
}

/** The application menu; the DevTools item only in development. */
export function applicationMenuTemplate(options: { readonly isDevelopment: boolean; readonly platform: NodeJS.Platform }): MenuItemConstructorOptions[] {
  const developmentItems: MenuItemConstructorOptions[] = options.isDevelopment ? [{ role: 'toggleDevTools' }] : []
  return [
    ...(options.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    { role: 'fileMenu' },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        ...developmentItems,
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' }
      ]
    },
    { role: 'windowMenu' }
  ]
}
