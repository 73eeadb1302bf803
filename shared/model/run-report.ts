/**
 * What `sockscope run` saw of a command's process tree: the report printed at the end, written
 * as JSON, JUnit and a Markdown summary.
 */
import type { Finding } from './finding'
import type { SocketProtocol, SocketState } from './socket'
import type { PortRange } from './history'

/** How the command's main process ended. */
export interface RunExit {
  /** The exit code, or null when a signal ended it (or it could not start). */
  readonly code: number | null
  /** The signal that ended it, e.g. `SIGTERM`, or null. */
  readonly signal: string | null
  /** Why the command could not be started at all, or null when it ran. */
  readonly startError: string | null
}

/** One process of the command's tree. */
export interface RunProcess {
  readonly pid: number
  readonly parentPid: number
  readonly name: string
  /** Epoch milliseconds of the first sample that showed it in the tree. */
  readonly firstSeenAt: number
  /** Epoch milliseconds of the first sample it was gone from, or null when it still ran at the end. */
  readonly exitedAt: number | null
  /** The most sockets it held at once. */
  readonly peakSockets: number
  /** The most open file descriptors it had at once, or null when they could not be counted. */
  readonly peakFds: number | null
  /** Its soft RLIMIT_NOFILE, or null when unknown or unlimited. */
  readonly fdSoftLimit: number | null
}

/** A socket of the tree at some moment, with how long it had been open. */
export interface RunSocket {
  readonly protocol: SocketProtocol
  readonly family: 4 | 6 | null
  /** `127.0.0.1:8080`, `[::1]:443`, a UNIX path, or `*` for an unnamed UNIX socket. */
  readonly local: string
  readonly remote: string
  readonly state: SocketState
  readonly pid: number | null
  readonly process: string | null
  /** Seconds between the first sample that saw it and that moment. */
  readonly ageSeconds: number
}

/** Socket counts of one moment. */
export interface RunSocketCount {
  /** Epoch milliseconds of the sample. */
  readonly at: number
  readonly total: number
  readonly byState: Readonly<Record<string, number>>
}

/** CLOSE_WAIT sockets towards one remote endpoint. */
export interface RunCloseWaitGroup {
  /** `127.0.0.1:5432`, or `clients of :8080 from 127.0.0.1` for connections a listener of the tree accepted. */
  readonly remote: string
  /** The most at once. */
  readonly peak: number
  /** How many were left at the last sample. */
  readonly final: number
}

/** Ephemeral ports used towards one destination. */
export interface RunEphemeralUse {
  /** `tcp 127.0.0.1 → 127.0.0.1:8080`. */
  readonly destination: string
  /** The most held at once. */
  readonly peak: number
  /** That peak as a share of the ephemeral port range, in percent; null when the range is unknown. */
  readonly percentOfRange: number | null
}

/** The phase that runs from one mark to the next (or to the command's end). */
export interface RunPhase {
  readonly label: string
  readonly startedAt: number
  readonly endedAt: number
  /** Sockets that appeared in the tree during the phase (closed ones included). */
  readonly opened: number
  /** Sockets opened during the phase and still open at its end, oldest first (at most 100). */
  readonly stillOpen: readonly RunSocket[]
  /** How many that is in all (may be more than listed). */
  readonly stillOpenCount: number
}

/** An assertion given on the command line and what the run measured for it. */
export interface RunAssertion {
  /** The option: `max-close-wait`, `max-sockets`, `max-fd-percent`, `max-growth` or `fail-on-findings`. */
  readonly name: 'max-close-wait' | 'max-sockets' | 'max-fd-percent' | 'max-growth' | 'fail-on-findings'
  readonly limit: number
  /** The measured value; null when it could not be measured (too few samples, no known limit). */
  readonly observed: number | null
  readonly passed: boolean
  /** One sentence saying what was measured against what. */
  readonly message: string
}

/** A finding of the leak detector during the run. */
export interface RunFinding extends Finding {
  /** True when it still held at the last sample. */
  readonly stillActive: boolean
}

/** Everything `sockscope run` reports. */
export interface RunReport {
  readonly command: readonly string[]
  readonly startedAt: number
  readonly endedAt: number
  readonly durationSeconds: number
  readonly intervalSeconds: number
  /** Samples of the tree taken, the periodic ones and those forced by marks and the command's exit. */
  readonly samples: number
  readonly exit: RunExit
  /** The command's main process, or null when it could not start. */
  readonly mainPid: number | null
  /** The processes of the tree, the main process first (at most 100). */
  readonly processes: readonly RunProcess[]
  readonly sockets: {
    /** The sample with the most sockets. */
    readonly peak: RunSocketCount
    /** The last sample. */
    readonly final: RunSocketCount
    /** The most sockets each state had at once (not necessarily at the same sample). */
    readonly peakByState: Readonly<Record<string, number>>
    /** The most sockets the tree's processes held open at once (TIME_WAIT and other kernel-held ends left out). */
    readonly peakHeld: number
    /** Theil–Sen slope of the held sockets over the run, per minute; null with fewer than three samples. */
    readonly growthPerMinute: number | null
  }
  readonly closeWait: { readonly peak: number; readonly byRemote: readonly RunCloseWaitGroup[] }
  readonly fileDescriptors: {
    /** The process that came closest to its soft limit, or the one with the most fds when no limit is known. */
    readonly peak: { readonly pid: number; readonly name: string; readonly fds: number; readonly softLimit: number | null; readonly percent: number | null } | null
  }
  readonly ephemeralPorts: { readonly range: PortRange | null; readonly destinations: readonly RunEphemeralUse[] }
  readonly timeWait: {
    /** Distinct TIME_WAIT sockets of the tree the samples saw. */
    readonly seen: number
    /** The most at once. */
    readonly peak: number
    /** `seen` per minute of the run. */
    readonly perMinute: number
    /**
     * TCP connections of the tree the kernel reported closed (close events), each leaving one
     * TIME_WAIT behind on the side that closed first; counts connections no sample saw too. Null
     * where close events cannot be had.
     */
    readonly closedConnections: number | null
    /** `closedConnections` per minute of the run; null with it. */
    readonly closedPerMinute: number | null
  }
  readonly findings: readonly RunFinding[]
  /** Sockets still open right after the main process exited: held by children that outlived it. */
  readonly heldAfterExit: readonly RunSocket[]
  readonly phases: readonly RunPhase[]
  readonly assertions: readonly RunAssertion[]
  /** The recording asked for with `--record`, or null. */
  readonly recording: {
    readonly path: string
    /** Samples written. */
    readonly ticks: number
    /** Size of the finished file; null when the recording stopped early. */
    readonly bytes: number | null
    /** Why the recording stopped early, or null when it took every sample. */
    readonly error: string | null
  } | null
  /** No assertion broke (the command's own exit is reported apart). */
  readonly assertionsPassed: boolean
}
