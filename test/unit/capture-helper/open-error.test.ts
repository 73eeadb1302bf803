import { describe, expect, it } from 'vitest'
import { classifyOpenError, linkTypeFromCap } from '../../../electron/capture-helper/open-error'

describe('classifyOpenError', () => {
  it('sorts libpcap messages seen on Linux, macOS and Windows', () => {
    expect(classifyOpenError("You don't have permission to capture on that device (socket: Operation not permitted)")).toBe('permission-denied')
    expect(classifyOpenError('socket: Operation not permitted')).toBe('permission-denied')
    expect(classifyOpenError('(cannot open BPF device) /dev/bpf0: Permission denied')).toBe('permission-denied')
    expect(classifyOpenError('No such device exists')).toBe('no-such-device')
    expect(classifyOpenError("en9: That device doesn't exist")).toBe('no-such-device')
    expect(classifyOpenError('Error opening adapter: The system cannot find the device specified. (20)')).toBe('no-such-device')
    expect(classifyOpenError('That device is not up')).toBe('other')
    expect(classifyOpenError("can't parse filter expression: syntax error")).toBe('other')
  })
})

describe('linkTypeFromCap', () => {
  it('maps the names cap returns and the DLT numbers it does not name', () => {
    expect(linkTypeFromCap('ETHERNET')).toBe(1)
    expect(linkTypeFromCap('LINKTYPE_LINUX_SLL')).toBe(113)
    expect(linkTypeFromCap('NULL')).toBe(0)
    expect(linkTypeFromCap('RAW')).toBe(101)
    expect(linkTypeFromCap('Unknown linktype 276')).toBe(276)
    expect(linkTypeFromCap('Unknown linktype 12')).toBe(101)
    expect(linkTypeFromCap('something else')).toBeNull()
  })
})
