/**
 * The capture model: the interfaces the capture helper can open, its counters, why a capture
 * failed or ended, and what a capture request holds. The helper's messages carry these
 * (shared/capture-messages.ts); the capture channels and the UI show them.
 */

/** Why a capture could not run, so the backend can show the right advice. */
export type CaptureErrorCode = 'permission-denied' | 'no-such-device' | 'other'

/** Every capture error code, in the order the helper's messages list them. */
export const CAPTURE_ERROR_CODES: readonly CaptureErrorCode[] = ['permission-denied', 'no-such-device', 'other']

/** Why a capture ended: a limit was reached, it was asked to stop, or it failed. */
export type CaptureEndReason = 'count' | 'bytes' | 'duration' | 'stopped' | 'error'

/** Every reason a capture ends for. */
export const CAPTURE_END_REASONS: readonly CaptureEndReason[] = ['count', 'bytes', 'duration', 'stopped', 'error']

/** Stop conditions the helper enforces itself, so it never sends a packet past a limit. Null means no limit. */
export interface CaptureLimits {
  readonly maxPackets: number | null
  readonly maxBytes: number | null
  readonly maxDurationMs: number | null
}

/** How the helper groups packets into frames and how much it may queue on a slow pipe. */
export interface CaptureBatching {
  /** Flush at least this often, milliseconds. */
  readonly flushIntervalMs: number
  /** Flush once a batch holds this many packets. */
  readonly maxPackets: number
  /** Flush once a batch holds this many bytes (must stay well under the frame limit). */
  readonly maxBytes: number
  /** When this many bytes already wait on the pipe, new packets are counted as dropped instead of queued. */
  readonly maxBacklogBytes: number
  /** How often the helper reports its counters, milliseconds. */
  readonly statsIntervalMs: number
}

/** The backend's request to open an interface and capture. */
export interface CaptureStartRequest {
  readonly interface: string
  /** A pcap-filter(7) expression; empty captures everything. */
  readonly filter: string
  /** Bytes kept of each packet; 0 keeps what the capture library allows. */
  readonly snaplen: number
  readonly promiscuous: boolean
  /** Kernel capture buffer size in bytes; 0 takes the helper's default. */
  readonly bufferSize: number
  readonly limits: CaptureLimits
  /** Omitted fields take the helper's defaults. */
  readonly batching?: Partial<CaptureBatching>
}

/** The backend's request to check a filter against an interface's link type without starting a capture. */
export interface CompileFilterRequest {
  readonly interface: string
  readonly filter: string
}

/** The backend's request for the interfaces the helper can see. */
export interface ListInterfacesRequest {
  /**
   * Briefly open each interface to learn its link type. Opening needs the capture privilege;
   * without it link types stay null.
   */
  readonly probeLinkTypes: boolean
}

/** One address of an interface, as libpcap lists it. */
export interface InterfaceAddress {
  readonly address: string
  readonly netmask: string | null
  readonly broadcast: string | null
  readonly destination: string | null
}

/** An interface the helper can capture on. */
export interface CaptureDevice {
  readonly name: string
  readonly description: string | null
  readonly addresses: readonly InterfaceAddress[]
  readonly loopback: boolean
  /** LINKTYPE_* number, or null when the interface could not be opened to find out. */
  readonly linkType: number | null
  /** A short name for the link type (ETHERNET, LINUX_SLL, RAW, ...), or null. */
  readonly linkTypeName: string | null
  /** Why opening the interface failed while probing it (e.g. "That device is not up"), or null. */
  readonly openError: string | null
  /** The kind of that failure, so a missing privilege can be told from a device that is down. */
  readonly openErrorCode: CaptureErrorCode | null
}

/** The helper's counters. Null means the capture library does not report that counter. */
export interface CaptureStatistics {
  /** Packets the capture library handed to the helper. */
  readonly received: number
  /** Captured bytes the capture library handed to the helper. */
  readonly receivedBytes: number
  /** Packets the kernel dropped because its buffer was full. */
  readonly droppedByKernel: number | null
  /** Packets the interface or driver dropped. */
  readonly droppedByInterface: number | null
  /** Packets the helper discarded because the backend was not reading fast enough. */
  readonly droppedByHelper: number
  /** Packets the helper wrote to the pipe. */
  readonly delivered: number
}

/** An interface opened for a capture, as the helper found it. */
export interface OpenedCaptureInterface {
  readonly interface: string
  readonly linkType: number
  readonly linkTypeName: string
  /** The snaplen in effect, which may be lower than asked when the capture library caps it. */
  readonly snaplen: number
  /** Whether the interface is in promiscuous mode, which may differ from what was asked. */
  readonly promiscuous: boolean
  /** Wall-clock start, epoch milliseconds. */
  readonly startedAt: number
  /** Timestamp resolution of the packets as a power of ten of seconds (9 = nanoseconds). */
  readonly timestampDecimals: number
  /** Things the backend should know about the capture's fidelity (e.g. how timestamps were taken). */
  readonly notes: readonly string[]
}

/** Link type numbers (LINKTYPE_*) for the names sockscope shows most often. */
export const LINK_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'NULL',
  1: 'ETHERNET',
  101: 'RAW',
  105: 'IEEE802_11',
  113: 'LINUX_SLL',
  127: 'IEEE802_11_RADIO',
  228: 'IPV4',
  229: 'IPV6',
  239: 'NFLOG',
  276: 'LINUX_SLL2'
}

/** A readable name for a link type number. */
export function linkTypeName(linkType: number): string {
  return LINK_TYPE_NAMES[linkType] ?? `LINKTYPE_${linkType}`
}
