/**
 * Stopping a process: SIGTERM, a few seconds to exit, then SIGKILL only when asked again.
 *
 * sockscope never stops itself or what it depends on: its own process, every process it started
 * (the capture helper; in the desktop app the renderer and GPU processes), and every ancestor up
 * to init (the shell or terminal that runs `sockscope serve`, the desktop session that started
 * the app). Stopping one of those would end sockscope, or the session the user is typing in,
 * which nobody asks for from a socket row.
 */
import { processText } from '../../../shared/format/action-text'
import type { SystemActions } from '../platform/platform'
import { refused, type ActionAttempt } from './close-connection'

/** How often the wait after a signal looks at the process. */
const EXIT_POLL_MS = 50
/** How long SIGKILL gets to take effect before it is reported as not done. */
const KILL_WAIT_MS = 2000

/** A process a request names: its pid and, when the client saw one, its name. */
export interface ProcessTarget {
  readonly pid: number
  /** The name the client saw; a different name now means the pid was reused. */
  readonly process?: string
}

/** Stops processes other than sockscope's own. */
export class ProcessStopper {
  constructor(
    private readonly platform: SystemActions,
    private readonly ownPid: number = process.pid
  ) {}

  /** The process in words for confirmations and the log, as the OS names it now. */
  describe(pid: number): string {
    return processText(this.platform.processStatus(pid)?.name ?? null, pid)
  }

  /** Why `target` must not or cannot be stopped; null when it may be. */
  check(target: ProcessTarget): ActionAttempt | null {
    if (this.platform.unsupported !== null) return refused('unsupported', this.platform.unsupported)
    const { pid } = target
    if (pid < 2) return refused('protected', 'pid 0 and 1 are never signalled')
    const protection = this.protection(pid)
    if (protection !== null) return refused('protected', protection)
    const status = this.platform.processStatus(pid)
    if (status === null || !this.platform.isRunning(pid)) return { outcome: 'failed', reason: 'already-gone', message: `no process ${pid} is running` }
    if (target.process !== undefined && status.name !== target.process) {
      return refused('process-changed', `pid ${pid} is now ${status.name}, not ${target.process}; the process you saw has exited`)
    }
    return null
  }

  /** Sends SIGTERM and waits up to `graceMs` for the process to exit. */
  async terminate(target: ProcessTarget, graceMs: number): Promise<ActionAttempt> {
    const problem = this.check(target)
    if (problem !== null) return problem
    const sent = this.send(target.pid, 'SIGTERM')
    if (sent !== null) return sent
    if (await this.exited(target.pid, graceMs)) return { outcome: 'done', reason: null, message: 'exited after SIGTERM' }
    return { outcome: 'still-running', reason: null, message: `still running ${graceMs / 1000} s after SIGTERM; it can be forced with SIGKILL` }
  }

  /** Sends SIGKILL and waits briefly to see the process gone. */
  async kill(target: ProcessTarget): Promise<ActionAttempt> {
    const problem = this.check(target)
    if (problem !== null) return problem
    const sent = this.send(target.pid, 'SIGKILL')
    if (sent !== null) return sent
    if (await this.exited(target.pid, KILL_WAIT_MS)) return { outcome: 'done', reason: null, message: 'killed with SIGKILL' }
    // Only a process stuck in the kernel (uninterruptible sleep) outlives SIGKILL for long.
    return { outcome: 'failed', reason: 'failed', message: `SIGKILL was sent, but the process was still there ${KILL_WAIT_MS / 1000} s later (stuck in the kernel?)` }
  }

  private protection(pid: number): string | null {
    if (pid === this.ownPid) return 'this is sockscope itself'
    if (this.platform.ancestorsOf(this.ownPid).includes(pid)) return 'sockscope runs under this process (its parent chain); stopping it would end sockscope'
    if (this.platform.descendantsOf(this.ownPid).includes(pid)) return 'sockscope started this process (its capture helper or one of its own parts)'
    return null
  }

  private send(pid: number, signal: 'SIGTERM' | 'SIGKILL'): ActionAttempt | null {
    switch (this.platform.signal(pid, signal)) {
      case 'sent':
        return null
      case 'gone':
        return { outcome: 'failed', reason: 'already-gone', message: `process ${pid} exited before ${signal} was sent` }
      case 'not-permitted':
        return { outcome: 'failed', reason: 'needs-permission', message: `not permitted to signal process ${pid}: it belongs to another user (run sockscope as root)` }
    }
  }

  private async exited(pid: number, withinMs: number): Promise<boolean> {
    const deadline = Date.now() + withinMs
    for (;;) {
      if (!this.platform.isRunning(pid)) return true
      if (Date.now() >= deadline) return false
      await new Promise((resolve) => setTimeout(resolve, EXIT_POLL_MS))
    }
  }
}
