/** The leaks domain: the leak detector's findings, and the thresholds it judges by, saved in the data folder. */
import * as v from 'valibot'
import type { Finding } from '../../../shared/model/finding'
import { DEFAULT_LEAK_SETTINGS, leakSettingsUpdateSchema, mergeLeakSettings, type LeakSettings } from '../../../shared/leak-settings'
import type { BackendModuleFactory } from '../backend-module'
import { storageStep } from '../storage/storage-step'

/** Findings kept after they clear, for the panel's "recently cleared" list. */
const RECENTLY_CLEARED_LIMIT = 50
/** The leak thresholds saved in the data folder. */
const SETTINGS_FILE = 'leak-settings.json'

/** Serves `leaks/*` and pushes `leaks/findings` whenever findings appear or clear. */
export const leaksModule: BackendModuleFactory = (context) => {
  const { detector } = context.history.session
  const recentlyCleared: Finding[] = []

  // Saved thresholds from an earlier run; a damaged file falls back to the defaults.
  // An unsafe data folder is not read either: another user could have planted the file.
  const settingsLoaded = context.data
    .readFile(SETTINGS_FILE)
    .then((text) => {
      if (text === null) return
      const parsed = v.safeParse(leakSettingsUpdateSchema, JSON.parse(text))
      if (parsed.success) detector.setSettings(mergeLeakSettings(DEFAULT_LEAK_SETTINGS, parsed.output))
    })
    .catch(() => undefined)

  const stopTicks = context.history.onTick(({ findings }) => {
    if (findings.appeared.length === 0 && findings.cleared.length === 0) return
    recentlyCleared.unshift(...findings.cleared)
    recentlyCleared.splice(RECENTLY_CLEARED_LIMIT)
    context.emit('leaks/findings', findings)
  })

  return {
    handlers: {
      'leaks/findings': () => ({ active: detector.active(), recentlyCleared: [...recentlyCleared] }),
      'leaks/settings': async () => {
        await settingsLoaded
        return detector.currentSettings()
      },
      'leaks/update-settings': async (update) => {
        await settingsLoaded
        const next: LeakSettings = mergeLeakSettings(detector.currentSettings(), update)
        // Saved first, so a folder that cannot take them leaves the running thresholds as they were.
        await storageStep('save the leak settings', () => context.data.replaceFile(SETTINGS_FILE, JSON.stringify(next, null, 2) + '\n'))
        detector.setSettings(next)
        return next
      }
    },
    dispose() {
      stopTicks()
    }
  }
}
