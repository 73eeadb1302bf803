/** The contract's shape rules: names, schemas, and the preload's method names derived from them. */
import type { GenericSchema } from 'valibot'
import { describe, expect, it } from 'vitest'
import { eventChannels, listenerNameFor, methodNameFor, requestChannels } from '../../../../shared/contract'
import { elementAt } from '../../../../shared/element-at'

/** `domain/action`, lower case, words within either part joined by `-`. */
const channelName = /^[a-z]+(-[a-z]+)*\/[a-z]+(-[a-z]+)*$/

/** A valibot schema as this test walks it: its kind, and what it wraps, holds or checks. */
interface SchemaNode {
  readonly type: string
  readonly wrapped?: SchemaNode
  readonly entries?: Readonly<Record<string, SchemaNode>>
  readonly item?: SchemaNode
  readonly pipe?: readonly SchemaNode[]
}

/**
 * Every place in an argument schema that an untrusted client could make unbounded: a number
 * without both a minimum and a maximum, text or a list without a maximum length, an object that
 * lets unknown keys through, or a kind of schema the rules do not cover. Empty when all is bounded.
 */
function unboundedPlaces(schema: SchemaNode, path: string): string[] {
  // A pipe may start with another pipe: the checks of every level apply.
  const checks = new Set<string>()
  let base = schema
  while (base.pipe !== undefined) {
    for (const action of base.pipe.slice(1)) checks.add(action.type)
    base = elementAt(base.pipe, 0)
  }
  switch (base.type) {
    case 'optional':
    case 'nullable':
      return unboundedPlaces(base.wrapped!, path)
    case 'strict_object':
      return Object.entries(base.entries!).flatMap(([key, entry]) => unboundedPlaces(entry, `${path}.${key}`))
    case 'number':
      return checks.has('min_value') && checks.has('max_value') ? [] : [`${path}: a number without both bounds`]
    case 'string':
      return checks.has('max_length') ? [] : [`${path}: text without a maximum length`]
    case 'array':
      return [...(checks.has('max_length') ? [] : [`${path}: a list without a maximum length`]), ...unboundedPlaces(base.item!, `${path}[]`)]
    case 'boolean':
    case 'picklist':
    case 'literal':
      return []
    default:
      return [`${path}: a ${base.type} schema, which these rules do not cover`]
  }
}

describe('the contract', () => {
  it('names every channel domain/action in lower case', () => {
    for (const name of [...Object.keys(requestChannels), ...Object.keys(eventChannels)]) expect(name).toMatch(channelName)
  })

  it('gives every request a strict object schema, so unknown keys are refused', () => {
    for (const [name, definition] of Object.entries(requestChannels)) {
      expect({ name, type: definition.args.type }).toEqual({ name, type: 'strict_object' })
    }
  })

  it('bounds every number, text and list in every request, so no client can ask for an unbounded amount', () => {
    const gaps = Object.entries(requestChannels).flatMap(([name, definition]) => unboundedPlaces(definition.args as GenericSchema as SchemaNode, name))
    expect(gaps).toEqual([])
  })

  it('finds an unbounded number, text or loose object when there is one', () => {
    const loose = { type: 'object', entries: {} }
    const unboundedNumber = { type: 'number' }
    const unboundedText = { type: 'string' }
    const schema = { type: 'strict_object', entries: { count: unboundedNumber, note: { type: 'optional', wrapped: unboundedText }, extra: loose } }
    expect(unboundedPlaces(schema, 'demo/check')).toEqual([
      'demo/check.count: a number without both bounds',
      'demo/check.note: text without a maximum length',
      'demo/check.extra: a object schema, which these rules do not cover'
    ])
  })

  it('derives distinct preload method names, none of them a generic invoke or send', () => {
    const methods = [...Object.keys(requestChannels).map(methodNameFor), ...Object.keys(eventChannels).map(listenerNameFor)]
    expect(new Set(methods).size).toBe(methods.length)
    expect(methods).not.toContain('invoke')
    expect(methods).not.toContain('send')
    expect(methodNameFor('probe/repeat-start')).toBe('probeRepeatStart')
    expect(listenerNameFor('sockets/tick')).toBe('onSocketsTick')
  })
})
