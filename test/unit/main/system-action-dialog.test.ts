/**
 * Threat: a compromised page confirms its own request to close a connection or kill a process.
 * The desktop app asks in a native dialog outside the page, naming the connection and its
 * process; only the confirm button goes ahead, and Escape and Enter refuse.
 */
import { describe, expect, it } from 'vitest'
import { systemActionConfirmed, systemActionDialogOptions } from '../../../electron/main/system-action-dialog'

describe('systemActionDialogOptions', () => {
  it('names the connection and the process it belongs to, or the process to stop', () => {
    const close = systemActionDialogOptions({ action: 'close-connection', target: 'tcp 127.0.0.1:41000 → 127.0.0.1:8080 of node (1234)', process: 'node (1234)' })
    expect(close.message).toBe('Close this TCP connection?')
    expect(close.detail).toContain('tcp 127.0.0.1:41000 → 127.0.0.1:8080 of node (1234)')
    expect(close.detail).toContain('node (1234) sees its next read fail')
    expect(close.buttons).toEqual(['Cancel', 'Close connection'])
    const stop = systemActionDialogOptions({ action: 'stop-process', target: 'postgres (77)', process: 'postgres (77)' })
    expect(stop.message).toBe('Stop postgres (77)?')
    expect(stop.detail).toContain('SIGTERM and waits up to 3 s')
    expect(stop.buttons).toEqual(['Cancel', 'Stop process'])
    const kill = systemActionDialogOptions({ action: 'kill-process', target: 'postgres (77)', process: 'postgres (77)' })
    expect(kill.message).toBe('Force postgres (77) to stop?')
    expect(kill.buttons).toEqual(['Cancel', 'Send SIGKILL'])
  })

  it('refuses by default: Cancel is the default and the cancel button', () => {
    const options = systemActionDialogOptions({ action: 'kill-process', target: 'node (5)', process: 'node (5)' })
    expect(options.defaultId).toBe(0)
    expect(options.cancelId).toBe(0)
  })
})

describe('systemActionConfirmed', () => {
  it('goes ahead only on the confirm button', () => {
    expect(systemActionConfirmed(1)).toBe(true)
    for (const response of [0, -1, 2]) expect(systemActionConfirmed(response)).toBe(false)
  })
})
