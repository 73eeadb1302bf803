/** Action channels: close a TCP connection, stop a process, and the session's log of every attempt. */
import * as v from 'valibot'
import type { ActionLogEntry, ActionPolicyView, ActionResult } from '../model/action'
import { event, integerBetween, noArguments, request, textOfLength } from './define'

/** The highest pid Linux hands out (PID_MAX_LIMIT); 0 and negative pids would signal groups, so they are refused too. */
const HIGHEST_PID = 4_194_304

/** A process as the client saw it: its pid, and its name to notice a pid that now names another program. */
const processTarget = v.strictObject({
  pid: integerBetween(2, HIGHEST_PID),
  process: v.optional(textOfLength(1, 64))
})

/** Requests and events of the actions domain. */
export const actionsContract = {
  requests: {
    /** Whether this client may act, and who confirms. */
    'actions/policy': request(noArguments).returns<ActionPolicyView>(),
    /** Closes one TCP connection of the live table (by its row id) with SOCK_DESTROY; the peer sees a reset. */
    'actions/close-connection': request(v.strictObject({ socketId: textOfLength(1, 600) })).returns<ActionResult>(),
    /** Sends SIGTERM and waits a few seconds; `still-running` means SIGKILL may be offered. */
    'actions/stop-process': request(processTarget).returns<ActionResult>(),
    /** Sends SIGKILL. */
    'actions/kill-process': request(processTarget).returns<ActionResult>(),
    /** Every attempt of this session, oldest first. */
    'actions/log': request(noArguments).returns<readonly ActionLogEntry[]>()
  },
  events: {
    /** One per attempt, refused ones included. */
    'actions/logged': event<ActionLogEntry>()
  }
} as const
