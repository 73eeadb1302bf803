/**
 * What a libpcap failure means for the user. Pure functions, so they are tested without a capture.
 */
import type { CaptureErrorCode } from '../../shared/model/capture'

const PERMISSION_PATTERNS = [
  /operation not permitted/i,
  /you don't have permission/i,
  /permission denied/i,
  /\bEPERM\b/,
  /\bEACCES\b/,
  // macOS when /dev/bpf* is not readable by the user.
  /\(cannot open BPF device\)/i,
  // Windows when Npcap is restricted to administrators.
  /access is denied/i
]

const MISSING_DEVICE_PATTERNS = [/no such device/i, /doesn't exist/i, /does not exist/i, /\bENODEV\b/, /\bENXIO\b/, /error opening adapter/i]

/** Sorts libpcap's open/activate message into the codes the backend gives advice for. */
export function classifyOpenError(message: string): CaptureErrorCode {
  if (PERMISSION_PATTERNS.some((pattern) => pattern.test(message))) return 'permission-denied'
  if (MISSING_DEVICE_PATTERNS.some((pattern) => pattern.test(message))) return 'no-such-device'
  return 'other'
}

/**
 * The LINKTYPE_* number for what `cap`'s open() returns: a name for the five link types it knows,
 * "Unknown linktype N" (a DLT_* value) for the rest.
 */
export function linkTypeFromCap(result: string): number | null {
  switch (result) {
    case 'NULL':
      return 0
    case 'ETHERNET':
      return 1
    case 'IEEE802_11_RADIO':
      return 127
    case 'LINKTYPE_LINUX_SLL':
      return 113
    case 'RAW':
      return 101
  }
  const match = /^Unknown linktype (\d+)$/.exec(result)
  if (!match) return null
  const dlt = Number(match[1])
  // DLT_RAW is 12 on most systems and 14 on OpenBSD; both are LINKTYPE_RAW in files.
  if (dlt === 12 || dlt === 14) return 101
  return dlt
}
