/**
 * The actions domain: closing a TCP connection of the live table and stopping a process, each
 * checked against the host's policy (and, in the desktop app, confirmed in a native dialog), and
 * each attempt, refused or not, logged with who asked and pushed to every client.
 */
import type { ActionResult, SystemActionKind } from '../../../shared/model/action'
import { connectionWithProcessText, socketProcessText, whyNotClosable } from '../../../shared/format/action-text'
import type { BackendModuleFactory, RequestCaller } from '../backend-module'
import { createSystemActions } from '../platform/create-platform'
import type { SystemActions } from '../platform/platform'
import { ActionLog } from './action-log'
import { closeConnection, refused, type ActionAttempt } from './close-connection'
import { ProcessStopper, type ProcessTarget } from './stop-process'
import { STOP_GRACE_SECONDS, SystemActionGate, type SystemActionQuestion } from './system-action-gate'

/** The actions module over a given platform (tests may pass one that records instead of acting). */
export function createActionsModule(platform: SystemActions): BackendModuleFactory {
  return (context) => {
    const gate = new SystemActionGate(context.options.systemActions)
    const log = new ActionLog(context.data)
    const stopper = new ProcessStopper(platform)
    const stopLogging = log.onEntry((entry) => context.emit('actions/logged', entry))

    function finish(caller: RequestCaller, action: SystemActionKind, target: string, attempt: ActionAttempt): ActionResult {
      const entry = log.record({ at: Date.now(), actor: caller.actor, client: caller.label, action, target, outcome: attempt.outcome, message: attempt.message })
      return { outcome: attempt.outcome, reason: attempt.reason, message: attempt.message, entry }
    }

    /** Runs `act` once the gate lets `question` through; every path ends in the log. */
    async function guarded(caller: RequestCaller, question: SystemActionQuestion, act: () => Promise<ActionAttempt> | ActionAttempt): Promise<ActionResult> {
      const refusal = await gate.authorize(question)
      return finish(caller, question.action, question.target, refusal === null ? await act() : refused(refusal.reason, refusal.message))
    }

    async function signalProcess(caller: RequestCaller, action: 'stop-process' | 'kill-process', target: ProcessTarget): Promise<ActionResult> {
      const described = stopper.describe(target.pid)
      // Guards first: the user is never asked about sockscope's own processes or a pid that moved on.
      const problem = stopper.check(target)
      if (problem !== null) return finish(caller, action, described, problem)
      const graceMs = STOP_GRACE_SECONDS * 1000
      return guarded(caller, { action, target: described, process: described }, () => (action === 'stop-process' ? stopper.terminate(target, graceMs) : stopper.kill(target)))
    }

    return {
      handlers: {
        'actions/policy': () => gate.view(),
        'actions/log': () => log.entries(),
        'actions/close-connection': async ({ socketId }, caller) => {
          const socket = context.sockets.current().sockets.find((candidate) => candidate.id === socketId)
          if (socket === undefined) {
            return finish(caller, 'close-connection', `socket ${socketId}`, {
              outcome: 'failed',
              reason: 'already-gone',
              message: 'the connection is no longer in the socket table'
            })
          }
          const target = connectionWithProcessText(socket)
          // Nothing to ask the user about when the socket is not a connection this OS can close.
          const notClosable = platform.unsupported ?? whyNotClosable(socket)
          if (notClosable !== null) return finish(caller, 'close-connection', target, refused(platform.unsupported === null ? 'not-a-connection' : 'unsupported', notClosable))
          return guarded(caller, { action: 'close-connection', target, process: socketProcessText(socket) }, () => closeConnection(platform, socket))
        },
        'actions/stop-process': (target, caller) => signalProcess(caller, 'stop-process', target),
        'actions/kill-process': (target, caller) => signalProcess(caller, 'kill-process', target)
      },
      async dispose() {
        stopLogging()
        await log.flushed()
      }
    }
  }
}

/** Serves `actions/*` on this OS. */
export const actionsModule: BackendModuleFactory = (context) => createActionsModule(createSystemActions())(context)
