/**
 * A refused argument reaches people as a sentence: the backend turns valibot's issues into data
 * (`argumentProblems`) and `failureText` puts them in words, with a form's labels when it has them.
 */
import * as v from 'valibot'
import { afterAll, describe, expect, it } from 'vitest'
import { requestChannels } from '../../../../shared/contract'
import { argumentProblems } from '../../../../shared/contract/argument-problems'
import { integerBetween, textOfLength } from '../../../../shared/contract/define'
import type { Failure } from '../../../../shared/contract/envelope'
import { failureText } from '../../../../shared/format/failure-text'
import { LEAK_SETTING_LABELS } from '../../../../shared/leak-settings'
import { createBackend } from '../../../../electron/backend/backend'

/** What developer text looks like: valibot's marks and words, or a channel name before a colon. */
const DEVELOPER_TEXT = /×|→|Invalid (value|type|key|length)|Expected|received|\b[a-z]+\/[a-z-]+:/

function textFor(schema: v.GenericSchema, input: unknown, labels = {}): string | null {
  const parsed = v.safeParse(schema, input)
  if (parsed.success) return null
  return failureText({ code: 'invalid-arguments', message: '', problems: argumentProblems(parsed.issues) }, labels)
}

describe('failureText', () => {
  it('names a bound just outside it and lets a value on the bound through', () => {
    const schema = v.strictObject({ closeWaitMinimumCount: integerBetween(1, 100) })
    expect(textFor(schema, { closeWaitMinimumCount: 0 })).toBe('The close wait minimum count must be at least 1.')
    expect(textFor(schema, { closeWaitMinimumCount: 1 })).toBeNull()
    expect(textFor(schema, { closeWaitMinimumCount: 100 })).toBeNull()
    expect(textFor(schema, { closeWaitMinimumCount: 101 })).toBe('The close wait minimum count must be at most 100.')
    expect(textFor(schema, { closeWaitMinimumCount: 1.5 })).toBe('The close wait minimum count must be a whole number.')
    expect(textFor(schema, { closeWaitMinimumCount: 'x' })).toBe('The close wait minimum count must be a number.')
  })

  it("uses the form's label for a field it names, and words for the rest", () => {
    const schema = v.strictObject({ closeWaitMinimumCount: integerBetween(1, 100), intervalMs: integerBetween(100, 60_000) })
    expect(textFor(schema, { closeWaitMinimumCount: 0, intervalMs: 5 }, LEAK_SETTING_LABELS)).toBe(
      '“CLOSE_WAIT sockets at least” must be at least 1. The interval in milliseconds must be at least 100.'
    )
  })

  it('says what text, choices, formats and unknown keys must be', () => {
    expect(textFor(v.strictObject({ name: textOfLength(1, 3) }), { name: '' })).toBe('The name must not be empty.')
    expect(textFor(v.strictObject({ name: textOfLength(2, 3) }), { name: 'a' })).toBe('The name must be at least 2 characters long.')
    expect(textFor(v.strictObject({ name: textOfLength(1, 3) }), { name: 'abcd' })).toBe('The name must be at most 3 characters long.')
    expect(textFor(v.strictObject({ format: v.picklist(['csv', 'json']) }), { format: 'xml' })).toBe('The format must be one of csv, json.')
    expect(textFor(v.strictObject({ name: v.pipe(v.string(), v.regex(/^a/, 'a name starting with "a"')) }), { name: 'b' })).toBe('The name must be a name starting with "a".')
    expect(textFor(v.strictObject({ on: v.boolean() }), { on: 1 })).toBe('The on must be on or off.')
    expect(textFor(v.strictObject({}), { madeUp: 1 })).toBe('“madeUp” is not something this request takes.')
    expect(textFor(v.strictObject({ dnsQuery: v.strictObject({ name: textOfLength(1, 3) }) }), { dnsQuery: { name: '' } })).toBe('The dns query name must not be empty.')
  })

  it('keeps the message of failures that are not refused arguments', () => {
    const failure: Failure = { code: 'busy', message: 'A capture is already running.' }
    expect(failureText(failure)).toBe('A capture is already running.')
  })
})

describe('the backend refusing arguments', () => {
  const backend = createBackend({ autoStart: false, resolveNames: false })
  afterAll(() => backend.dispose())

  it('answers every request channel with sentences and the problems as data, never a schema summary', async () => {
    for (const channel of Object.keys(requestChannels)) {
      const answer = await backend.handle(channel, { notAnArgument: true })
      if (answer.ok) throw new Error(`${channel} accepted an unknown argument`)
      expect(answer.error.message, channel).not.toMatch(DEVELOPER_TEXT)
      expect(answer.error.message, channel).toContain('is not something this request takes.')
      expect(answer.error.problems, channel).toContainEqual({ field: 'notAnArgument', rule: 'unknown-field', limit: null, choices: null, note: null })
    }
  })

  it('says which leak threshold is out of range', async () => {
    const answer = await backend.handle('leaks/update-settings', { closeWaitMinimumCount: 0 })
    expect(answer).toEqual({
      ok: false,
      error: {
        code: 'invalid-arguments',
        message: 'The close wait minimum count must be at least 1.',
        problems: [{ field: 'closeWaitMinimumCount', rule: 'at-least', limit: 1, choices: null, note: null }]
      }
    })
  })
})
