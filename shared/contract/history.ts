/** History channels: chart series and the newest point, from the live history or an opened recording. */
import * as v from 'valibot'
import type { HistoryLatest, HistoryTick, SeriesSet } from '../model/history'
import { event, integerBetween, request } from './define'
import { epochMs, historySource } from './time-arguments'

/** Requests and events of the history domain. */
export const historyContract = {
  requests: {
    /** Series for one chart. `window` counts back from the newest point; `from`/`to` pick a range. */
    'history/series': request(
      v.strictObject({
        kind: v.picklist(['states', 'process-sockets', 'protocols', 'interfaces', 'file-descriptors', 'ephemeral']),
        source: historySource,
        pid: v.optional(integerBetween(0, 2 ** 31)),
        top: v.optional(integerBetween(1, 100)),
        windowMs: v.optional(v.pipe(v.number(), v.minValue(1000), v.maxValue(366 * 86_400_000))),
        from: v.optional(epochMs),
        to: v.optional(epochMs),
        maxPoints: v.optional(integerBetween(2, 20_000))
      })
    ).returns<SeriesSet>(),
    /** The newest point (for gauges) and what the history holds. */
    'history/latest': request(v.strictObject({ source: historySource })).returns<HistoryLatest>()
  },
  events: {
    /** One per recorded tick. */
    'history/tick': event<HistoryTick>()
  }
} as const
