/** Process channels: where the processes the tables show sit in the process tree, and which are sockscope's own. */
import * as v from 'valibot'
import type { OwnProcess, ProcessLineage } from '../model/processes'
import { integerBetween, noArguments, request } from './define'

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
    ).returns<readonly ProcessLineage[]>(),
    /** The processes that are sockscope: this backend, what it started (capture helpers), and other sockscope processes holding sockets. */
    'processes/own': request(noArguments).returns<readonly OwnProcess[]>()
  },
  events: {}
} as const
