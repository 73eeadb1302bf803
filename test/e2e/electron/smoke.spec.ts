/**
 * The desktop shell: the window opens with the locked-down settings and shows the live table.
 * It needs Electron's own binary, which `electron` downloads on first launch; where that binary
 * is absent (an offline machine), the test is skipped and says why.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { _electron as electron, expect, test } from '@playwright/test'

const electronPackage = dirname(require.resolve('electron/package.json'))

/** The downloaded binary's path, or null when it has not been downloaded. */
function electronBinary(): string | null {
  const pathFile = join(electronPackage, 'path.txt')
  if (!existsSync(pathFile)) return null
  const binary = join(electronPackage, 'dist', readFileSync(pathFile, 'utf8').trim())
  return existsSync(binary) ? binary : null
}

const binary = electronBinary()
const skipReason = `no Electron binary in ${electronPackage}/dist: it is downloaded on first launch, which needs internet`
if (!binary) console.log(`electron smoke test skipped: ${skipReason}`)

test('the desktop window shows the socket table', async () => {
  test.skip(!binary, skipReason)
  const app = await electron.launch({
    executablePath: binary as string,
    args: [resolve(__dirname, '../../../out/main/index.js'), ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])]
  })
  try {
    const window = await app.firstWindow()
    await expect(window.getByTestId('socket-table')).toBeVisible()
    await expect(window.locator('.socket-row[data-socket-id]').first()).toBeVisible()
    const exposed = await window.evaluate(() => {
      const bridge = (window as unknown as { sockscope?: Record<string, unknown> }).sockscope
      return { hasBridge: !!bridge, hasInvoke: !!bridge && 'invoke' in bridge, hasRequire: typeof (window as unknown as { require?: unknown }).require }
    })
    expect(exposed).toEqual({ hasBridge: true, hasInvoke: false, hasRequire: 'undefined' })
    const preferences = await app.evaluate(({ BrowserWindow }) => {
      const [window] = BrowserWindow.getAllWindows()
      if (!window) throw new Error('the app opened no window')
      const contents = window.webContents
      const settings = (contents as unknown as { getLastWebPreferences(): Record<string, unknown> }).getLastWebPreferences()
      return { contextIsolation: settings.contextIsolation, sandbox: settings.sandbox, nodeIntegration: settings.nodeIntegration }
    })
    expect(preferences).toEqual({ contextIsolation: true, sandbox: true, nodeIntegration: false })
  } finally {
    await app.close()
  }
})
