/** The contract's shape rules: names, schemas, and the preload's method names derived from them. */
import { describe, expect, it } from 'vitest'
import { eventChannels, listenerNameFor, methodNameFor, requestChannels } from '../../../../shared/contract'

const channelName = /^[a-z]+\/[a-z]+(-[a-z]+)*$/

describe('the contract', () => {
  it('names every channel domain/action in lower case', () => {
    for (const name of [...Object.keys(requestChannels), ...Object.keys(eventChannels)]) expect(name).toMatch(channelName)
  })

  it('gives every request a strict object schema, so unknown keys are refused', () => {
    for (const [name, definition] of Object.entries(requestChannels)) {
      expect({ name, type: definition.args.type }).toEqual({ name, type: 'strict_object' })
    }
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
