/**
 * Thresholds of the leak detector, with defaults chosen so that a busy but steady server stays
 * quiet. The schema checks updates coming from any client.
 */
import * as v from 'valibot'
import { integerBetween } from './contract/define'

/** Every threshold the leak detector reads. Durations are in seconds. */
export interface LeakSettings {
  /** Turns the whole detector off. */
  readonly enabled: boolean
  /** A condition must hold this long before a finding appears. */
  readonly raiseAfterSeconds: number
  /** A finding clears once its condition has been gone this long, so it does not flap. */
  readonly clearAfterSeconds: number

  /** How far back the growth slope looks. */
  readonly growthWindowSeconds: number
  /** Less history than this for a process is not enough to call a trend. */
  readonly growthMinimumDurationSeconds: number
  /** Sockets per minute the robust (Theil–Sen) slope must reach. */
  readonly growthMinimumSlopePerMinute: number
  /** How well a straight line must explain the counts (0..1). */
  readonly growthMinimumRSquared: number
  /** Sockets the count must have gained along the fitted line across the window. */
  readonly growthMinimumIncrease: number
  /** The largest single jump may be at most this share of the rise, so a one-off step is not a trend. */
  readonly growthMaximumJumpShare: number

  /** CLOSE_WAIT sockets a process must hold for the finding. */
  readonly closeWaitMinimumCount: number
  /** A CLOSE_WAIT socket counts once it has been seen in that state this long. */
  readonly closeWaitMinimumAgeSeconds: number

  /** Share of the soft RLIMIT_NOFILE the open fds must pass (0..1). */
  readonly fdLimitRatio: number

  /** Share of the ephemeral port range one destination must use (0..1). */
  readonly ephemeralPortsRatio: number

  /** TIME_WAIT sockets there must be at least. */
  readonly timeWaitMinimumCount: number
  /** Share of all TCP sockets that must be in TIME_WAIT (0..1). */
  readonly timeWaitMinimumShare: number

  /** Short-lived connections (under a second) to one destination in a minute that make churn a finding. */
  readonly churnMinimumShortLivedPerMinute: number

  /** Connections held by quiet peers one listener must have for the slow-clients finding. */
  readonly slowClientMinimumCount: number
  /** A connection counts once it has been seen held by a quiet peer this long. */
  readonly slowClientMinimumAgeSeconds: number
  /** A peer that sent more bytes than this is not quiet. */
  readonly slowClientMaximumBytesReceived: number

  /** Show a notification when a finding appears. */
  readonly notify: boolean
  /** At most one notification per this many seconds; the rest are summed up in the next one. */
  readonly notifyMinimumIntervalSeconds: number
}

/** The defaults. */
export const DEFAULT_LEAK_SETTINGS: LeakSettings = {
  enabled: true,
  raiseAfterSeconds: 5,
  clearAfterSeconds: 30,
  growthWindowSeconds: 300,
  growthMinimumDurationSeconds: 60,
  growthMinimumSlopePerMinute: 2,
  growthMinimumRSquared: 0.8,
  growthMinimumIncrease: 10,
  growthMaximumJumpShare: 0.5,
  closeWaitMinimumCount: 5,
  closeWaitMinimumAgeSeconds: 30,
  fdLimitRatio: 0.8,
  ephemeralPortsRatio: 0.5,
  timeWaitMinimumCount: 1000,
  timeWaitMinimumShare: 0.5,
  churnMinimumShortLivedPerMinute: 600,
  slowClientMinimumCount: 10,
  slowClientMinimumAgeSeconds: 30,
  slowClientMaximumBytesReceived: 4096,
  notify: true,
  notifyMinimumIntervalSeconds: 30
}

/** What the thresholds form calls each number it edits, with its unit; failures name them the same way. */
export const LEAK_SETTING_LABELS = {
  growthWindowSeconds: 'Growth window (s)',
  growthMinimumDurationSeconds: 'Growth minimum duration (s)',
  growthMinimumSlopePerMinute: 'Growth at least (sockets/min)',
  growthMinimumRSquared: 'Growth steadiness R² at least',
  closeWaitMinimumCount: 'CLOSE_WAIT sockets at least',
  closeWaitMinimumAgeSeconds: 'CLOSE_WAIT for at least (s)',
  fdLimitRatio: 'Open files share of limit',
  ephemeralPortsRatio: 'Ephemeral ports share per destination',
  timeWaitMinimumCount: 'TIME_WAIT sockets at least',
  timeWaitMinimumShare: 'TIME_WAIT share of TCP',
  churnMinimumShortLivedPerMinute: 'Short-lived connections a minute',
  slowClientMinimumCount: 'Slow clients per listener at least',
  slowClientMinimumAgeSeconds: 'Slow client held for at least (s)',
  slowClientMaximumBytesReceived: 'Slow client sent at most (bytes)',
  raiseAfterSeconds: 'Raise after (s)',
  clearAfterSeconds: 'Clear after (s)',
  notifyMinimumIntervalSeconds: 'Notify at most every (s)'
} as const satisfies Partial<Record<keyof LeakSettings, string>>

const seconds = v.pipe(v.number(), v.minValue(0), v.maxValue(86_400))
const ratio = v.pipe(v.number(), v.minValue(0), v.maxValue(1))
const count = integerBetween(0, 10_000_000)

/** Checks a partial update of the settings; unknown keys are refused. */
export const leakSettingsUpdateSchema = v.strictObject({
  enabled: v.optional(v.boolean()),
  raiseAfterSeconds: v.optional(seconds),
  clearAfterSeconds: v.optional(seconds),
  growthWindowSeconds: v.optional(v.pipe(v.number(), v.minValue(1), v.maxValue(86_400))),
  growthMinimumDurationSeconds: v.optional(seconds),
  growthMinimumSlopePerMinute: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1_000_000))),
  growthMinimumRSquared: v.optional(ratio),
  growthMinimumIncrease: v.optional(count),
  growthMaximumJumpShare: v.optional(ratio),
  closeWaitMinimumCount: v.optional(integerBetween(1, 10_000_000)),
  closeWaitMinimumAgeSeconds: v.optional(seconds),
  fdLimitRatio: v.optional(ratio),
  ephemeralPortsRatio: v.optional(ratio),
  timeWaitMinimumCount: v.optional(count),
  timeWaitMinimumShare: v.optional(ratio),
  churnMinimumShortLivedPerMinute: v.optional(integerBetween(1, 10_000_000)),
  slowClientMinimumCount: v.optional(integerBetween(1, 10_000_000)),
  slowClientMinimumAgeSeconds: v.optional(seconds),
  slowClientMaximumBytesReceived: v.optional(count),
  notify: v.optional(v.boolean()),
  notifyMinimumIntervalSeconds: v.optional(seconds)
})

/** A partial update of the settings. */
export type LeakSettingsUpdate = v.InferOutput<typeof leakSettingsUpdateSchema>

/** The settings with `update` applied; keys left out keep their value. */
export function mergeLeakSettings(current: LeakSettings, update: LeakSettingsUpdate): LeakSettings {
  const merged: Record<string, unknown> = { ...current }
  for (const [key, value] of Object.entries(update)) if (value !== undefined) merged[key] = value
  return merged as unknown as LeakSettings
}
