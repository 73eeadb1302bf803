/** Leak detector thresholds for a command's run, which may last seconds rather than hours. */
import { DEFAULT_LEAK_SETTINGS, type LeakSettings } from '../../../shared/leak-settings'
import type { RunBounds } from './run-assertions'

/**
 * The detector's defaults wait 30 s before a CLOSE_WAIT socket counts and want a minute of growth;
 * a test suite is often over by then. Here a condition must hold for two samples (at least a
 * second), a CLOSE_WAIT socket counts once it has stayed for that long, and growth is judged
 * over the whole run once ten seconds are seen. A bound given on the command line becomes the
 * matching threshold, so the finding and the assertion agree.
 */
export function runLeakSettings(intervalSeconds: number, bounds: RunBounds): LeakSettings {
  const settle = Math.max(1, intervalSeconds * 2)
  return {
    ...DEFAULT_LEAK_SETTINGS,
    notify: false,
    raiseAfterSeconds: settle,
    closeWaitMinimumAgeSeconds: settle,
    closeWaitMinimumCount: bounds.maxCloseWait !== undefined ? bounds.maxCloseWait + 1 : DEFAULT_LEAK_SETTINGS.closeWaitMinimumCount,
    growthWindowSeconds: 3600,
    growthMinimumDurationSeconds: 10,
    growthMinimumSlopePerMinute: bounds.maxGrowth ?? DEFAULT_LEAK_SETTINGS.growthMinimumSlopePerMinute
  }
}
