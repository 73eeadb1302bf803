/**
 * The desktop shell: one window, the IPC wiring, the menu and dialogs. Every piece of logic lives
 * in the backend, which runs the same in the CLI and in web mode.
 */
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { app, BrowserWindow, Menu, Notification, session, type MenuItemConstructorOptions } from 'electron'
import { createBackend, type Backend } from '../backend/backend'
import { followFindingNotifications } from '../backend/leaks/desktop-notifications'
import { forwardEvents, setupContractHandlers } from './ipc'
import { isAppUrl } from './trusted-sender'

const ownWindows = new Set<number>()
const rendererUrl = process.env.ELECTRON_RENDERER_URL
const appUrl = rendererUrl ?? pathToFileURL(join(__dirname, '../renderer/index.html')).toString()
let backend: Backend | null = null

function createWindow(backendInstance: Backend): BrowserWindow {
  const window = new BrowserWindow({
    width: 1360,
    height: 860,
    minWidth: 900,
    minHeight: 560,
    show: false,
    title: 'sockscope',
    backgroundColor: '#1b1d22',
    webPreferences: {
      preload: join(__dirname, '../preload/index.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false
    }
  })
  ownWindows.add(window.webContents.id)
  const webContentsId = window.webContents.id
  const stopForwarding = forwardEvents(backendInstance, window)
  window.on('closed', () => {
    ownWindows.delete(webContentsId)
    stopForwarding()
  })
  window.once('ready-to-show', () => window.show())
  if (rendererUrl) void window.loadURL(rendererUrl)
  else void window.loadFile(join(__dirname, '../renderer/index.html'))
  return window
}

/** Locks every web contents down: no navigation away, no new windows, no webviews, no permissions. */
function hardenWebContents(): void {
  app.on('web-contents-created', (_event, contents) => {
    // No page opens windows or external links: names shown in the UI come from captured traffic
    // and must never turn into something the app launches.
    contents.setWindowOpenHandler(() => ({ action: 'deny' }))
    contents.on('will-navigate', (event, url) => {
      if (!isAppUrl(url, appUrl)) event.preventDefault()
    })
    contents.on('will-redirect', (event, url) => {
      if (!isAppUrl(url, appUrl)) event.preventDefault()
    })
    contents.on('will-attach-webview', (event) => event.preventDefault())
  })
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback) => {
    callback(permission === 'notifications' || permission === 'clipboard-sanitized-write')
  })
  session.defaultSession.setPermissionCheckHandler((_contents, permission) => {
    return permission === 'notifications' || permission === 'clipboard-sanitized-write'
  })
}

function buildMenu(): void {
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    { role: 'fileMenu' },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        { role: 'toggleDevTools' },
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
  Menu.setApplicationMenu(Menu.buildFromTemplate(template))
}

app.enableSandbox()

void app.whenReady().then(() => {
  hardenWebContents()
  buildMenu()
  backend = createBackend()
  setupContractHandlers(backend, { ids: ownWindows, appUrl })
  // Leak findings become system notifications, rate-limited and switchable in the leak settings.
  followFindingNotifications(backend, ({ title, body }) => {
    if (Notification.isSupported()) new Notification({ title, body }).show()
  })
  const started = backend
  createWindow(started)
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow(started)
  })
})

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})

let quitting = false
app.on('before-quit', (event) => {
  // Listeners, held connections and the capture helper must close before the process goes.
  if (quitting || !backend) return
  event.preventDefault()
  quitting = true
  void backend.dispose().finally(() => app.quit())
})
