import { describe, expect, it } from 'vitest'
import { asError, errorMessage } from '../../../shared/error-message'

describe('errorMessage and asError', () => {
  it('keep an Error as it is and turn anything else thrown into text', () => {
    const error = new RangeError('out of range')
    expect(errorMessage(error)).toBe('out of range')
    expect(errorMessage('plain text')).toBe('plain text')
    expect(errorMessage(42)).toBe('42')
    expect(asError(error)).toBe(error)
    const wrapped = asError({ toString: () => 'an object' })
    expect(wrapped).toBeInstanceOf(Error)
    expect(wrapped.message).toBe('an object')
  })
})
