/** Leak channels: the findings of the leak detector and the thresholds it judges by. */
import type { FindingsState, FindingsUpdate } from '../model/finding'
import { leakSettingsUpdateSchema, type LeakSettings } from '../leak-settings'
import { event, noArguments, request } from './define'

/** Requests and events of the leaks domain. */
export const leaksContract = {
  requests: {
    /** Findings now, and the ones cleared lately. */
    'leaks/findings': request(noArguments).returns<FindingsState>(),
    'leaks/settings': request(noArguments).returns<LeakSettings>(),
    'leaks/update-settings': request(leakSettingsUpdateSchema).returns<LeakSettings>()
  },
  events: {
    /** Whenever findings appear or clear. */
    'leaks/findings': event<FindingsUpdate>()
  }
} as const
