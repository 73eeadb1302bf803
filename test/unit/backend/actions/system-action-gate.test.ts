/**
 * The host's rule for closing connections and stopping processes: `deny` refuses with the host's
 * sentence, `allow` lets the page confirm, `ask` puts one question at a time to the host (a
 * rejected question is a no) and refuses past the queue bound instead of stacking dialogs.
 */
import { describe, expect, it } from 'vitest'
import {
  ACTIONS_OFF_POLICY,
  MAXIMUM_WAITING_ACTION_QUESTIONS,
  STOP_GRACE_SECONDS,
  SystemActionGate,
  type SystemActionQuestion
} from '../../../../electron/backend/actions/system-action-gate'

const question: SystemActionQuestion = { action: 'close-connection', target: 'tcp 127.0.0.1:1 → 127.0.0.1:2 of node (5)', process: 'node (5)' }

describe('SystemActionGate', () => {
  it('is off by default, with a sentence even when the host gave none', async () => {
    const gate = new SystemActionGate(ACTIONS_OFF_POLICY)
    expect(gate.view()).toEqual({
      allowed: false,
      confirmation: 'page',
      howToAllow: 'This sockscope does not close connections or stop processes.',
      stopGraceSeconds: STOP_GRACE_SECONDS
    })
    expect(await gate.authorize(question)).toEqual({ reason: 'actions-off', message: 'Closing connections and stopping processes is off here.' })
  })

  it('deny names how to allow', async () => {
    const gate = new SystemActionGate({ actions: 'deny', howToAllow: 'Start it with --allow-actions.' })
    expect(gate.view()).toMatchObject({ allowed: false, howToAllow: 'Start it with --allow-actions.' })
    expect(await gate.authorize(question)).toEqual({ reason: 'actions-off', message: 'Closing connections and stopping processes is off here. Start it with --allow-actions.' })
  })

  it('allow lets every action through and leaves the confirmation to the page', async () => {
    const gate = new SystemActionGate({ actions: 'allow' })
    expect(gate.view()).toEqual({ allowed: true, confirmation: 'page', howToAllow: null, stopGraceSeconds: STOP_GRACE_SECONDS })
    expect(await gate.authorize(question)).toBeNull()
  })

  it('ask puts the question to the host, who confirms (the page does not ask again)', async () => {
    const asked: SystemActionQuestion[] = []
    const answers = [true, false]
    const gate = new SystemActionGate({ actions: 'ask', ask: async (put) => (asked.push(put), answers.shift()!) })
    expect(gate.view()).toMatchObject({ allowed: true, confirmation: 'host' })
    expect(await gate.authorize(question)).toBeNull()
    expect(await gate.authorize(question)).toEqual({ reason: 'declined', message: 'You declined in the confirmation.' })
    expect(asked).toEqual([question, question])
  })

  it('a question that fails (the dialog could not be shown) is a no', async () => {
    const gate = new SystemActionGate({ actions: 'ask', ask: () => Promise.reject(new Error('no display')) })
    expect(await gate.authorize(question)).toMatchObject({ reason: 'declined' })
    const throwing = new SystemActionGate({
      actions: 'ask',
      ask: () => {
        throw new Error('thrown, not rejected')
      }
    })
    expect(await throwing.authorize(question)).toMatchObject({ reason: 'declined' })
  })

  it(`asks one question at a time and refuses past ${MAXIMUM_WAITING_ACTION_QUESTIONS} waiting`, async () => {
    const pending: Array<(answer: boolean) => void> = []
    let open = 0
    let maxOpen = 0
    const gate = new SystemActionGate({
      actions: 'ask',
      ask: () => {
        open += 1
        maxOpen = Math.max(maxOpen, open)
        return new Promise<boolean>((resolve) => pending.push(resolve)).finally(() => (open -= 1))
      }
    })
    const waiting = Array.from({ length: MAXIMUM_WAITING_ACTION_QUESTIONS }, () => gate.authorize(question))
    // One more than the bound is refused at once, without a dialog.
    expect(await gate.authorize(question)).toMatchObject({ reason: 'too-many-questions' })
    for (let answered = 0; answered < MAXIMUM_WAITING_ACTION_QUESTIONS; answered += 1) {
      await new Promise((resolve) => setTimeout(resolve, 0))
      expect(pending).toHaveLength(1)
      pending.shift()!(answered % 2 === 0)
    }
    expect((await Promise.all(waiting)).map((refusal) => refusal?.reason ?? 'allowed')).toEqual(['allowed', 'declined', 'allowed', 'declined'])
    expect(maxOpen).toBe(1)
    // Once answered, the queue takes questions again.
    const next = gate.authorize(question)
    await new Promise((resolve) => setTimeout(resolve, 0))
    pending.shift()!(true)
    expect(await next).toBeNull()
  })
})
