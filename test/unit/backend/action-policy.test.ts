/**
 * The action policy's decisions: loopback always passes; `deny` refuses every other address with
 * the host's sentence; `allow` still wants the holder's own confirmation; `ask` puts one question
 * at a time to the host, remembers "until quit" per kind of action, and refuses past a queue bound.
 */
import { describe, expect, it } from 'vitest'
import { MAXIMUM_WAITING_QUESTIONS, RemoteTargetGate, type ActionTarget, type RemoteTargetAnswer, type RemoteTargetQuestion } from '../../../electron/backend/action-policy'

function target(overrides: Partial<ActionTarget> = {}): ActionTarget {
  return { action: 'tcp-probe', host: '192.0.2.1', addresses: ['192.0.2.1'], port: 443, ...overrides }
}

/** An `ask` hook that records each question and answers from a script (or waits to be released). */
function scriptedAsk(answers: RemoteTargetAnswer[] = []) {
  const questions: RemoteTargetQuestion[] = []
  const pending: Array<(answer: RemoteTargetAnswer) => void> = []
  let open = 0
  let maxOpen = 0
  const ask = (question: RemoteTargetQuestion): Promise<RemoteTargetAnswer> => {
    questions.push(question)
    open += 1
    maxOpen = Math.max(maxOpen, open)
    const scripted = answers.shift()
    const answer = scripted !== undefined ? Promise.resolve(scripted) : new Promise<RemoteTargetAnswer>((resolve) => pending.push(resolve))
    return answer.finally(() => (open -= 1))
  }
  return { ask, questions, pending, maxOpen: () => maxOpen }
}

const LOOPBACK = ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']

describe('RemoteTargetGate', () => {
  it('lets every loopback target through under every policy, without asking', async () => {
    const asked = scriptedAsk()
    for (const gate of [
      new RemoteTargetGate({ remoteTargets: 'deny', howToAllow: null }),
      new RemoteTargetGate({ remoteTargets: 'allow' }),
      new RemoteTargetGate({ remoteTargets: 'ask', ask: asked.ask })
    ]) {
      for (const address of LOOPBACK) {
        expect(await gate.authorize(target({ host: address, addresses: [address] }))).toBeNull()
        expect(await gate.authorize(target({ action: 'listener', host: address, addresses: [address] }))).toBeNull()
        expect(await gate.authorize(target({ action: 'holder', host: 'localhost', addresses: [address], count: 10 }))).toBeNull()
      }
    }
    expect(asked.questions).toEqual([])
  })

  it('denies any other address with the host’s sentence on how to allow it', async () => {
    const gate = new RemoteTargetGate({ remoteTargets: 'deny', howToAllow: 'Start it with --open-sesame.' })
    for (const addresses of [['192.0.2.1'], ['10.0.0.1'], ['2001:db8::1'], ['::ffff:192.0.2.1'], ['127.0.0.1', '192.0.2.1']]) {
      const refusal = await gate.authorize(target({ host: 'example.test', addresses }))
      expect(refusal, addresses.join()).toMatchObject({ kind: 'not-allowed', phase: 'connect', detail: 'remote-targets-off' })
      expect(refusal?.message).toContain('Start it with --open-sesame.')
      expect(refusal?.message).toContain('not on this machine')
    }
    // The client's confirmation changes nothing here.
    expect(await gate.authorize(target({ action: 'holder', clientConfirmed: true, count: 1 }))).toMatchObject({ kind: 'not-allowed' })
    for (const wildcard of ['0.0.0.0', '::', '192.0.2.7']) {
      const refusal = await gate.authorize(target({ action: 'listener', host: wildcard, addresses: [wildcard], port: 8080 }))
      expect(refusal, wildcard).toMatchObject({ kind: 'not-allowed', phase: 'listen' })
      expect(refusal?.message).toContain('loopback addresses only')
    }
    expect(gate.view()).toEqual({ remoteTargets: 'deny', howToAllow: 'Start it with --open-sesame.' })
  })

  it('allows any address when allowed, but the holder still needs the client’s confirmation', async () => {
    const gate = new RemoteTargetGate({ remoteTargets: 'allow' })
    for (const action of ['tcp-probe', 'tls-probe', 'udp-probe', 'repeated-probe'] as const) {
      expect(await gate.authorize(target({ action }))).toBeNull()
    }
    expect(await gate.authorize(target({ action: 'listener', host: '0.0.0.0', addresses: ['0.0.0.0'] }))).toBeNull()
    expect(await gate.authorize(target({ action: 'holder', count: 5 }))).toMatchObject({ kind: 'invalid-input', detail: 'needs-confirmation' })
    expect(await gate.authorize(target({ action: 'holder', count: 5, clientConfirmed: true }))).toBeNull()
    expect(gate.view()).toEqual({ remoteTargets: 'allow', howToAllow: null })
  })

  it('asks about the addresses beyond this machine only, and refuses when the user does', async () => {
    const asked = scriptedAsk(['refuse', 'once'])
    const gate = new RemoteTargetGate({ remoteTargets: 'ask', ask: asked.ask })
    const refusal = await gate.authorize(target({ action: 'holder', host: 'mixed.test', addresses: ['127.0.0.1', '192.0.2.1'], count: 7 }))
    expect(refusal).toMatchObject({ kind: 'not-allowed', detail: 'declined' })
    expect(refusal?.message).toContain('declined')
    expect(asked.questions[0]).toEqual({ action: 'holder', host: 'mixed.test', remoteAddresses: ['192.0.2.1'], port: 443, count: 7 })
    // In ask mode the dialog is the confirmation: the form's tick is not needed.
    expect(await gate.authorize(target({ action: 'holder', count: 7 }))).toBeNull()
    expect(gate.view()).toEqual({ remoteTargets: 'ask', howToAllow: null })
  })

  it('asks again after "once", not after "until quit", and keeps kinds of action apart', async () => {
    const asked = scriptedAsk(['once', 'until-quit', 'until-quit', 'refuse'])
    const gate = new RemoteTargetGate({ remoteTargets: 'ask', ask: asked.ask })
    expect(await gate.authorize(target())).toBeNull()
    expect(await gate.authorize(target())).toBeNull()
    expect(asked.questions).toHaveLength(2)
    // "Until quit" for probes covers every probe kind and port on that address...
    expect(await gate.authorize(target({ action: 'udp-probe', port: 53 }))).toBeNull()
    expect(await gate.authorize(target({ action: 'repeated-probe', port: 22 }))).toBeNull()
    expect(asked.questions).toHaveLength(2)
    // ...but not holding connections to it, nor another address.
    expect(await gate.authorize(target({ action: 'holder', count: 100 }))).toBeNull()
    expect(asked.questions).toHaveLength(3)
    await expect(gate.authorize(target({ host: '192.0.2.2', addresses: ['192.0.2.2'] }))).resolves.toMatchObject({ detail: 'declined' })
    expect(asked.questions).toHaveLength(4)
  })

  it('counts a failing dialog as a refusal, and still asks the next question', async () => {
    const rejecting = new RemoteTargetGate({ remoteTargets: 'ask', ask: () => Promise.reject(new Error('no window')) })
    expect(await rejecting.authorize(target())).toMatchObject({ kind: 'not-allowed', detail: 'declined' })
    let calls = 0
    const throwing = new RemoteTargetGate({
      remoteTargets: 'ask',
      ask: () => {
        calls += 1
        if (calls === 1) throw new Error('dialog code broke')
        return Promise.resolve('once')
      }
    })
    expect(await throwing.authorize(target())).toMatchObject({ kind: 'not-allowed', detail: 'declined' })
    expect(await throwing.authorize(target())).toBeNull()
  })

  it('shows one question at a time, and skips questions an earlier "until quit" answered', async () => {
    const asked = scriptedAsk()
    const gate = new RemoteTargetGate({ remoteTargets: 'ask', ask: asked.ask })
    const first = gate.authorize(target())
    const second = gate.authorize(target({ action: 'tls-probe' }))
    const third = gate.authorize(target({ host: '192.0.2.3', addresses: ['192.0.2.3'] }))
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(asked.questions).toHaveLength(1)
    asked.pending.shift()?.('until-quit')
    expect(await first).toBeNull()
    expect(await second).toBeNull()
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(asked.questions.map((question) => question.remoteAddresses[0])).toEqual(['192.0.2.1', '192.0.2.3'])
    asked.pending.shift()?.('refuse')
    expect(await third).toMatchObject({ detail: 'declined' })
    expect(asked.maxOpen()).toBe(1)
  })

  it(`lets ${MAXIMUM_WAITING_QUESTIONS} questions wait and refuses one more at once`, async () => {
    const asked = scriptedAsk()
    const gate = new RemoteTargetGate({ remoteTargets: 'ask', ask: asked.ask })
    const waiting = Array.from({ length: MAXIMUM_WAITING_QUESTIONS }, (_, index) => gate.authorize(target({ host: `192.0.2.${index + 1}`, addresses: [`192.0.2.${index + 1}`] })))
    const extra = await gate.authorize(target({ host: '192.0.2.99', addresses: ['192.0.2.99'] }))
    expect(extra).toMatchObject({ kind: 'not-allowed', detail: 'too-many-questions' })
    for (let answered = 0; answered < MAXIMUM_WAITING_QUESTIONS; answered += 1) {
      await new Promise((resolve) => setTimeout(resolve, 5))
      asked.pending.shift()?.('once')
    }
    expect(await Promise.all(waiting)).toEqual(Array(MAXIMUM_WAITING_QUESTIONS).fill(null))
    expect(asked.questions).toHaveLength(MAXIMUM_WAITING_QUESTIONS)
    // Once answered, there is room again.
    const later = gate.authorize(target({ host: '192.0.2.99', addresses: ['192.0.2.99'] }))
    await new Promise((resolve) => setTimeout(resolve, 5))
    asked.pending.shift()?.('once')
    expect(await later).toBeNull()
  })
})
