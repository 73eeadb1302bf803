/**
 * Whether a client may close connections and stop processes. Like the remote-target rule, the
 * host decides when it creates the backend, never a client: `serve` turns actions off unless
 * started with --allow-actions (the page then confirms each one), and the desktop app asks its
 * user in a native dialog that the page cannot answer.
 */
import type { ActionFailureReason, ActionPolicyView } from '../../../shared/model/action'
import type { ActionConfirmationSubject } from '../../../shared/format/action-text'
import { QuestionQueue } from '../../../shared/question-queue'

/**
 * What the desktop app asks its user: the action, its target (`tcp 127.0.0.1:41000 → 127.0.0.1:8080
 * of node (1234)`, `node (1234)`) and the process it hits, as the backend (not the page) sees them.
 */
export type SystemActionQuestion = ActionConfirmationSubject

/** The host's rule for closing connections and stopping processes. */
export type SystemActionPolicy =
  | { readonly actions: 'allow' }
  | {
      readonly actions: 'deny'
      /** A sentence telling the person running sockscope how to allow them (the `serve` flag). */
      readonly howToAllow: string | null
    }
  | {
      readonly actions: 'ask'
      /** Asks the user; true goes ahead. A rejection counts as a no. */
      readonly ask: (question: SystemActionQuestion) => Promise<boolean>
    }

/** The rule of a backend whose host chose none: no actions. */
export const ACTIONS_OFF_POLICY: SystemActionPolicy = { actions: 'deny', howToAllow: null }

/** Questions that may wait for the user at once; more are refused instead of stacking dialogs. */
export const MAXIMUM_WAITING_ACTION_QUESTIONS = 4

/** Seconds a stop waits after SIGTERM before it reports the process still running. */
export const STOP_GRACE_SECONDS = 3

/** A refusal: why, for programs and for people. */
export interface GateRefusal {
  readonly reason: Extract<ActionFailureReason, 'actions-off' | 'declined' | 'too-many-questions'>
  readonly message: string
}

/** Authorizes actions against one policy, one question at a time. */
export class SystemActionGate {
  private readonly questions = new QuestionQueue(MAXIMUM_WAITING_ACTION_QUESTIONS)

  constructor(private readonly policy: SystemActionPolicy) {}

  /** The policy as clients see it. */
  view(): ActionPolicyView {
    const policy = this.policy
    return {
      allowed: policy.actions !== 'deny',
      confirmation: policy.actions === 'ask' ? 'host' : 'page',
      howToAllow: policy.actions === 'deny' ? (policy.howToAllow ?? 'This sockscope does not close connections or stop processes.') : null,
      stopGraceSeconds: STOP_GRACE_SECONDS
    }
  }

  /** Null when the action may go ahead, else why not. */
  async authorize(question: SystemActionQuestion): Promise<GateRefusal | null> {
    const policy = this.policy
    switch (policy.actions) {
      case 'allow':
        return null
      case 'deny': {
        const howToAllow = policy.howToAllow === null ? '' : ` ${policy.howToAllow}`
        return { reason: 'actions-off', message: `Closing connections and stopping processes is off here.${howToAllow}` }
      }
      case 'ask': {
        const answer = this.questions.run(() =>
          Promise.resolve()
            .then(() => policy.ask(question))
            .catch(() => false)
        )
        if (answer === null) {
          return { reason: 'too-many-questions', message: `${MAXIMUM_WAITING_ACTION_QUESTIONS} questions are already waiting for an answer; answer them first.` }
        }
        return (await answer) ? null : { reason: 'declined', message: 'You declined in the confirmation.' }
      }
    }
  }
}
