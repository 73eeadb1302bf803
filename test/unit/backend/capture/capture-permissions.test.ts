import { describe, expect, it } from 'vitest'
import { capturePermissionAdvice, formatCapturePermissionAdvice } from '../../../../electron/backend/capture/capture-permissions'

describe('capturePermissionAdvice', () => {
  it('names the runtime file to give capabilities to on Linux, and what running as root means', () => {
    const advice = capturePermissionAdvice('linux', '/usr/bin/node')
    expect(advice.commands[0]).toBe('sudo setcap cap_net_raw,cap_net_admin=eip /usr/bin/node')
    const text = formatCapturePermissionAdvice(advice)
    expect(text).toContain('CAP_NET_RAW')
    expect(text).toMatch(/every program that \/usr\/bin\/node runs/)
    expect(text).toMatch(/run sockscope as root/)
  })

  it('points macOS users at ChmodBPF and the /dev/bpf* permissions', () => {
    const text = formatCapturePermissionAdvice(capturePermissionAdvice('darwin', '/usr/local/bin/node'))
    expect(text).toContain('ChmodBPF')
    expect(text).toContain('sudo chmod o+r /dev/bpf*')
  })

  it('points Windows users at Npcap in WinPcap-compatible mode', () => {
    const text = formatCapturePermissionAdvice(capturePermissionAdvice('win32', 'C:\\node.exe'))
    expect(text).toContain('Npcap')
    expect(text).toContain('WinPcap API-compatible')
  })
})
