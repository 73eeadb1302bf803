/**
 * What to tell a user whose system does not let sockscope capture packets. The advice names the
 * exact file to change, because "run as administrator" is rarely the right fix.
 */

/** Advice for a denied capture: one line for a status bar, steps for a dialog or the CLI. */
export interface CapturePermissionAdvice {
  readonly platform: NodeJS.Platform
  /** One sentence. */
  readonly summary: string
  /** Ordered ways to fix it; the first is the recommended one. */
  readonly steps: readonly string[]
  /** Shell commands the steps mention, ready to copy. */
  readonly commands: readonly string[]
}

/**
 * Advice for `platform`.
 *
 * @param runtimePath the real path (symlinks resolved) of the program that runs the capture helper,
 *   e.g. /usr/bin/node; on Linux the capabilities go on that file.
 */
export function capturePermissionAdvice(platform: NodeJS.Platform, runtimePath: string): CapturePermissionAdvice {
  switch (platform) {
    case 'linux': {
      const setcap = `sudo setcap cap_net_raw,cap_net_admin=eip ${runtimePath}`
      return {
        platform,
        summary: 'Packet capture needs the CAP_NET_RAW and CAP_NET_ADMIN capabilities, which the capture helper does not have.',
        steps: [
          `Give the capture helper's runtime the two capabilities: ${setcap} ` +
            `(every program that ${runtimePath} runs then gets them; a copy of the runtime kept only for sockscope limits that). ` +
            'Check with getcap; a runtime update replaces the file and drops them.',
          'Or run sockscope as root (sudo). Everything it runs, the window and the packet parsers included, then has full privileges, so prefer the capabilities.'
        ],
        commands: [setcap, `getcap ${runtimePath}`]
      }
    }
    case 'darwin':
      return {
        platform,
        summary: 'Packet capture needs read access to the /dev/bpf* devices, which this user does not have.',
        steps: [
          'Install Wireshark\'s ChmodBPF package (it ships with Wireshark: "Install ChmodBPF.pkg"), which gives the access_bpf group read access to /dev/bpf* at every boot, and make sure your user is in that group.',
          'Or, until the next reboot: sudo chmod o+r /dev/bpf*'
        ],
        commands: ['sudo chmod o+r /dev/bpf*', 'ls -l /dev/bpf*']
      }
    case 'win32':
      return {
        platform,
        summary: 'Packet capture on Windows needs the Npcap driver.',
        steps: [
          'Install Npcap from https://npcap.com/ and tick "Install Npcap in WinPcap API-compatible Mode".',
          'If Npcap was installed with "Restrict Npcap driver\'s access to Administrators only", run sockscope as administrator or reinstall Npcap without that option.'
        ],
        commands: []
      }
    default:
      return {
        platform,
        summary: 'Packet capture is not allowed for this user.',
        steps: ["Give this user read access to the system's packet capture device (BPF), or run sockscope as root."],
        commands: []
      }
  }
}

/** The advice as plain text: the summary, then one numbered step per line. */
export function formatCapturePermissionAdvice(advice: CapturePermissionAdvice): string {
  return [advice.summary, ...advice.steps.map((step, index) => `  ${index + 1}. ${step}`)].join('\n')
}
