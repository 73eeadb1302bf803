/** The history domain: chart series and the newest point, from the live history or the opened recording. */
import type { HistoryInfo, HistorySource, SeriesQuery } from '../../../shared/model/history'
import { RequestError } from '../../../shared/contract/envelope'
import type { BackendModuleFactory } from '../backend-module'
import type { HistoryStore } from './history-store'

function seriesQuery(args: Omit<SeriesQuery, 'from'> & { from?: number; windowMs?: number }, info: HistoryInfo): SeriesQuery {
  const from = args.windowMs !== undefined && info.newest !== null ? info.newest - args.windowMs : args.from
  return { kind: args.kind, pid: args.pid, top: args.top, from, to: args.to, maxPoints: args.maxPoints }
}

/** Serves `history/*` and pushes one `history/tick` per recorded tick. */
export const historyModule: BackendModuleFactory = (context) => {
  const { history } = context
  const stopTicks = history.onTick(({ sample }) => context.emit('history/tick', { sample, info: history.session.store.info() }))

  function storeFor(source: HistorySource | undefined): HistoryStore {
    if (source !== 'recording') return history.session.store
    const recorded = history.recordedHistory()
    if (!recorded) throw new RequestError('not-found', 'no recording is open')
    return recorded
  }

  return {
    handlers: {
      'history/series': (args) => {
        const store = storeFor(args.source)
        return store.series(seriesQuery(args, store.info()))
      },
      'history/latest': ({ source }) => {
        const store = storeFor(source)
        return { sample: store.latest(), info: store.info() }
      }
    },
    dispose() {
      stopTicks()
    }
  }
}
