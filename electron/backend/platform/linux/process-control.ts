/**
 * Processes on Linux as the stop action needs them: a process's name, parent and state from
 * /proc/PID/stat, the chain of its ancestors, every descendant, and sending it a signal.
 * Synchronous on purpose: each call reads a few small files, once per user action.
 */
import { readFileSync } from 'node:fs'
import type { ProcessStatus, SignalOutcome } from '../platform'
import { signalOne } from '../process-family'
import { parseProcessStat, readProcessStatuses } from './proc-stat'

/** Where procfs is mounted; tests may point at a planted tree. */
export interface ProcessControlOptions {
  readonly procRoot?: string
}

/** Reads and signals processes through procfs and kill(2). */
export class ProcessControl {
  private readonly procRoot: string

  constructor(options: ProcessControlOptions = {}) {
    this.procRoot = options.procRoot ?? '/proc'
  }

  /** The process's status; null when there is no such process. */
  status(pid: number): ProcessStatus | null {
    try {
      return parseProcessStat(readFileSync(`${this.procRoot}/${pid}/stat`, 'utf8'))
    } catch {
      return null
    }
  }

  /** True while the process exists and has not exited (a zombie has exited; only its parent's reaping is left). */
  isRunning(pid: number): boolean {
    const status = this.status(pid)
    return status !== null && status.state !== 'Z' && status.state !== 'X'
  }

  /** The parent, its parent and so on up to init (pid 1), nearest first. */
  ancestorsOf(pid: number): number[] {
    const ancestors: number[] = []
    let current = this.status(pid)
    // A bound on the walk: a planted or racing /proc must not loop forever.
    while (current !== null && current.parentPid > 0 && ancestors.length < 4096 && !ancestors.includes(current.parentPid)) {
      ancestors.push(current.parentPid)
      current = this.status(current.parentPid)
    }
    return ancestors
  }

  /** Every process started by `pid`, by its children, and so on. */
  descendantsOf(pid: number): number[] {
    const childrenByParent = new Map<number, number[]>()
    for (const status of readProcessStatuses(this.procRoot)) {
      const siblings = childrenByParent.get(status.parentPid)
      if (siblings === undefined) childrenByParent.set(status.parentPid, [status.pid])
      else siblings.push(status.pid)
    }
    const descendants: number[] = []
    const waiting = [pid]
    for (let parent = waiting.pop(); parent !== undefined; parent = waiting.pop()) {
      for (const child of childrenByParent.get(parent) ?? []) {
        if (descendants.includes(child) || child === pid) continue
        descendants.push(child)
        waiting.push(child)
      }
    }
    return descendants
  }

  /** Sends `signal` to exactly one process (never a group: the pid must be 2 or more). */
  signal(pid: number, signal: 'SIGTERM' | 'SIGKILL'): SignalOutcome {
    return signalOne(pid, signal)
  }
}
