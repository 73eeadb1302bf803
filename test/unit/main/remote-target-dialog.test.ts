/**
 * Threat: a compromised page answers its own question about another machine. The question is a
 * native dialog outside the page, where only the Allow button allows, Escape and Enter refuse, and
 * "until quit" needs its own tick.
 */
import { describe, expect, it } from 'vitest'
import { remoteTargetAnswer, remoteTargetDialogOptions } from '../../../electron/main/remote-target-dialog'

describe('remoteTargetDialogOptions', () => {
  it('names the action, the host and the addresses beyond this machine', () => {
    const probe = remoteTargetDialogOptions({ action: 'tls-probe', host: 'example.test', remoteAddresses: ['192.0.2.1'], port: 443, count: 1 })
    expect(probe.message).toBe('Probe example.test (192.0.2.1) port 443?')
    expect(probe.checkboxLabel).toBe('Allow probes of 192.0.2.1 until sockscope quits')
    const holder = remoteTargetDialogOptions({ action: 'holder', host: '192.0.2.1', remoteAddresses: ['192.0.2.1'], port: 80, count: 500 })
    expect(holder.message).toBe('Hold 500 connections to 192.0.2.1:80?')
    expect(holder.detail).toContain('can look like an attack')
    const listener = remoteTargetDialogOptions({ action: 'listener', host: '::', remoteAddresses: ['::'], port: 8080, count: 1 })
    expect(listener.message).toBe('Listen on [::]:8080?')
    expect(listener.detail).toContain('Other machines')
  })

  it('refuses by default: Cancel is the default and the cancel button, and the box starts unticked', () => {
    const options = remoteTargetDialogOptions({ action: 'tcp-probe', host: '192.0.2.1', remoteAddresses: ['192.0.2.1'], port: 22, count: 1 })
    expect(options.buttons).toEqual(['Cancel', 'Allow'])
    expect(options.defaultId).toBe(0)
    expect(options.cancelId).toBe(0)
    expect(options.checkboxChecked).toBe(false)
  })
})

describe('remoteTargetAnswer', () => {
  it('allows only on the Allow button, and for the session only with the box ticked', () => {
    expect(remoteTargetAnswer(1, false)).toBe('once')
    expect(remoteTargetAnswer(1, true)).toBe('until-quit')
    expect(remoteTargetAnswer(0, false)).toBe('refuse')
    expect(remoteTargetAnswer(0, true)).toBe('refuse')
    expect(remoteTargetAnswer(-1, true)).toBe('refuse')
    expect(remoteTargetAnswer(2, true)).toBe('refuse')
  })
})
