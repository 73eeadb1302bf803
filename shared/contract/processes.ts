/** Process channels: where the processes the tables show sit in the process tree. */
import * as v from 'valibot'
import type { ProcessLineage } from '../model/processes'
import { integerBetween, request } from './define'

/** The highest pid Linux hands out (PID_MAX_LIMIT). */
const HIGHEST_PID = 4_194_304

/** Most processes one lineage request may name: far more than hold sockets on a busy machine. */
export const MAX_LINEAGE_PIDS = 20_000

/** Requests and events of the processes domain. */
export const processesContract = {
  requests: {
    /** The ancestors of each pid asked for, nearest first; a process that is gone has none. */
    'processes/lineage': request(
      v.strictObject({
        pids: v.pipe(v.array(integerBetween(1, HIGHEST_PID)), v.maxLength(MAX_LINEAGE_PIDS))
      })
    ).returns<readonly ProcessLineage[]>()
  },
  events: {}
} as const
