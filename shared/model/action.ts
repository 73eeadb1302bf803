/**
 * Acting on the system from sockscope: closing a TCP connection and stopping a process. Both are
 * dangerous (sockscope often runs as root), so every attempt, refused or not, is logged.
 */

/** Who asked: the desktop app's window, a web-mode page, the command line, or code in the same process (tests). */
export type ActionActor = 'desktop' | 'web' | 'cli' | 'in-process'

/** The actions on the system sockscope offers. */
export type SystemActionKind = 'close-connection' | 'stop-process' | 'kill-process'

/** How an attempt ended. */
export type ActionOutcome =
  /** Done: the connection closed, the process exited or was sent SIGKILL. */
  | 'done'
  /** SIGTERM was sent, but the process was still running when the wait ended. */
  | 'still-running'
  /** Not attempted: the host's policy, the user in a confirmation, or a guard (own process) said no. */
  | 'refused'
  /** Attempted, and the kernel said no (permission, kernel feature, target gone). */
  | 'failed'

/** Why a close or stop did not happen, for programs; the message says it for people. */
export type ActionFailureReason =
  /** The host does not allow actions for this client (web mode without --allow-actions). */
  | 'actions-off'
  /** The user said no in the host's confirmation. */
  | 'declined'
  /** Too many confirmations are already waiting for the user. */
  | 'too-many-questions'
  /** The socket or process is sockscope's own, or something sockscope must not stop. */
  | 'protected'
  /** Only TCP connections can be closed (not listeners, UDP or UNIX sockets). */
  | 'not-a-connection'
  /** The process is not the one the client saw (its pid now names another program). */
  | 'process-changed'
  /** Closing needs CAP_NET_ADMIN, or signalling the process needs the right to. */
  | 'needs-cap-net-admin'
  | 'needs-permission'
  /** The kernel was built without CONFIG_INET_DIAG_DESTROY. */
  | 'kernel-without-destroy'
  /** The connection or process no longer exists. */
  | 'already-gone'
  /** This platform cannot do it. */
  | 'unsupported'
  | 'failed'

/** One attempted action, as the session's action log keeps it. */
export interface ActionLogEntry {
  /** Increasing within one backend run. */
  readonly sequence: number
  /** When the attempt ended, epoch milliseconds. */
  readonly at: number
  readonly actor: ActionActor
  /** The client in words: `desktop window`, `web client 3 (127.0.0.1)`, `cli (pid 4242)`. */
  readonly client: string
  readonly action: SystemActionKind
  /** The target in words: `tcp 127.0.0.1:41000 → 127.0.0.1:8080 of node (1234)`, `node (1234)`. */
  readonly target: string
  readonly outcome: ActionOutcome
  /** What happened, in a sentence. */
  readonly message: string
}

/** The answer to a close or stop request. */
export interface ActionResult {
  readonly outcome: ActionOutcome
  /** Null when the action was done. */
  readonly reason: ActionFailureReason | null
  readonly message: string
  /** The log entry the attempt made. */
  readonly entry: ActionLogEntry
}

/** Whether this client may act, and how it is confirmed, as the host decided. */
export interface ActionPolicyView {
  /** False: the UI hides or disables the actions and shows `howToAllow`. */
  readonly allowed: boolean
  /**
   * `page`: the UI asks in the page before it sends a request (web mode with --allow-actions).
   * `host`: the host asks in a native dialog the page cannot answer (the desktop app), so the
   * page does not ask a second time.
   */
  readonly confirmation: 'page' | 'host'
  /** Why actions are off and how to turn them on; null when allowed. */
  readonly howToAllow: string | null
  /** Seconds a stop waits after SIGTERM before it offers SIGKILL. */
  readonly stopGraceSeconds: number
}
