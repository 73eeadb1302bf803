/**
 * The desktop shell: one window, the IPC wiring, the menu and dialogs. Every piece of logic lives
 * in the backend, which runs the same in the CLI and in web mode.
 */
import { join } from 'node:path'
import { app, BrowserWindow, dialog, Menu, Notification, session } from 'electron'
import { createBackend, type Backend, type RemoteTargetAnswer, type RemoteTargetQuestion, type SystemActionQuestion } from '../backend'
import { followFindingNotifications } from './desktop-notifications'
import { forwardEvents, setupContractHandlers } from './ipc'
import { remoteTargetAnswer, remoteTargetDialogOptions } from './remote-target-dialog'
import { systemActionConfirmed, systemActionDialogOptions } from './system-action-dialog'
import { applicationMenuTemplate, rendererLocation, windowWebPreferences, withContentSecurityPolicy } from './shell-settings'
import { isAppUrl } from './trusted-sender'

const ownWindows = new Set<number>()
const isDevelopment = !app.isPackaged
const { appUrl, ignoredDevelopmentUrl } = rendererLocation({
  isPackaged: app.isPackaged,
  developmentUrl: process.env.ELECTRON_RENDERER_URL,
  builtPage: join(__dirname, '../renderer/index.html')
})
if (ignoredDevelopmentUrl !== null) console.warn(`sockscope: ELECTRON_RENDERER_URL ignored: ${ignoredDevelopmentUrl}`)
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
    webPreferences: windowWebPreferences(join(__dirname, '../preload/index.js'), isDevelopment)
  })
  ownWindows.add(window.webContents.id)
  const webContentsId = window.webContents.id
  const stopForwarding = forwardEvents(backendInstance, window)
  window.on('closed', () => {
    ownWindows.delete(webContentsId)
    stopForwarding()
  })
  window.once('ready-to-show', () => window.show())
  void window.loadURL(appUrl)
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
  // The policy travels as a header too, not only in the page's meta tag.
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders) })
  })
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback) => {
    callback(permission === 'notifications' || permission === 'clipboard-sanitized-write')
  })
  session.defaultSession.setPermissionCheckHandler((_contents, permission) => {
    return permission === 'notifications' || permission === 'clipboard-sanitized-write'
  })
}

/** Shows a native message box over our window (or alone when there is none). */
function showNativeQuestion(options: Electron.MessageBoxOptions): Promise<Electron.MessageBoxReturnValue> {
  const parent = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0]
  return parent === undefined ? dialog.showMessageBox(options) : dialog.showMessageBox(parent, options)
}

/** Asks the user, in a native dialog over our window, before the backend uses a target beyond this machine. */
async function askAboutRemoteTarget(question: RemoteTargetQuestion): Promise<RemoteTargetAnswer> {
  const { response, checkboxChecked } = await showNativeQuestion(remoteTargetDialogOptions(question))
  return remoteTargetAnswer(response, checkboxChecked)
}

/** Asks the user, in a native dialog the page cannot answer, before a connection is closed or a process stopped. */
async function confirmSystemAction(question: SystemActionQuestion): Promise<boolean> {
  const { response } = await showNativeQuestion(systemActionDialogOptions(question))
  return systemActionConfirmed(response)
}

function buildMenu(): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(applicationMenuTemplate({ isDevelopment, platform: process.platform })))
}

app.enableSandbox()

void app.whenReady().then(() => {
  hardenWebContents()
  buildMenu()
  // The desktop app keeps its settings, recordings and temporary capture files in its own userData folder.
  backend = createBackend({
    actionPolicy: { remoteTargets: 'ask', ask: askAboutRemoteTarget },
    systemActions: { actions: 'ask', ask: confirmSystemAction },
    dataDirectory: app.getPath('userData')
  })
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
