/** Focus channels: one process's sockets, open files and ephemeral ports, with their history and a forecast. */
import * as v from 'valibot'
import type { ProcessFocus } from '../model/focus'
import { integerBetween, request } from './define'

/** The highest pid Linux hands out (PID_MAX_LIMIT). */
const HIGHEST_PID = 4_194_304

/** Requests and events of the focus domain. */
export const focusContract = {
  requests: {
    /** The process as it is now (or was when last seen), with `windowMs` of history (15 minutes by default). */
    'focus/process': request(
      v.strictObject({
        pid: integerBetween(1, HIGHEST_PID),
        windowMs: v.optional(integerBetween(10_000, 86_400_000))
      })
    ).returns<ProcessFocus>()
  },
  events: {}
} as const
