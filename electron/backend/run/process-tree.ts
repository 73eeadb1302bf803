/**
 * The process tree of a command `sockscope run` started: the command's process and everything
 * it forks, followed from one process listing to the next.
 */
import type { ProcessStatus } from '../platform/platform'

/** One process of the tree as the run saw it. */
export interface TreeProcess {
  readonly pid: number
  readonly parentPid: number
  /** Its name at the last listing: an exec changes it (a shell that runs node becomes `node`). */
  name: string
  readonly startTime: number
  /** Epoch milliseconds of the first listing that showed it in the tree. */
  readonly firstSeenAt: number
  /** Epoch milliseconds of the first listing that no longer showed it, or null while it runs. */
  exitedAt: number | null
}

/** How many exited processes the tree remembers, so a command forking all day stays bounded. */
const MAX_EXITED = 1000

/**
 * The processes of one command's tree. Membership is worked out from each listing:
 * - the command's own process;
 * - every process already seen in the tree that still runs, even after its parent died and it
 *   was re-parented to init;
 * - when the command was started in a session of its own, every process of that session started
 *   no earlier than the command (a background child orphaned between two listings is still found);
 * - and every descendant of all those.
 *
 * A process is known by its pid and start time, so a pid the OS hands out again after a member
 * exited does not make a stranger a member.
 */
export class ProcessTree {
  private readonly live = new Map<number, TreeProcess>()
  private readonly exited: TreeProcess[] = []
  private rootStartTime: number | null = null

  constructor(
    readonly rootPid: number,
    private readonly options: { readonly ownSession: boolean }
  ) {}

  /** Takes a new listing; returns the pids of the members that run now. */
  update(statuses: readonly ProcessStatus[], now: number): ReadonlySet<number> {
    const byPid = new Map<number, ProcessStatus>()
    const children = new Map<number, ProcessStatus[]>()
    for (const status of statuses) {
      byPid.set(status.pid, status)
      let list = children.get(status.parentPid)
      if (!list) children.set(status.parentPid, (list = []))
      list.push(status)
    }

    const root = byPid.get(this.rootPid)
    if (root && this.rootStartTime === null) this.rootStartTime = root.startTime
    const seeds: ProcessStatus[] = []
    if (root && root.startTime === this.rootStartTime) seeds.push(root)
    for (const known of this.live.values()) {
      const status = byPid.get(known.pid)
      if (status && status.startTime === known.startTime) seeds.push(status)
    }
    if (this.options.ownSession && this.rootStartTime !== null) {
      const rootStart = this.rootStartTime
      for (const status of statuses) if (status.sessionId === this.rootPid && status.startTime >= rootStart) seeds.push(status)
    }

    const members = new Map<number, ProcessStatus>()
    const queue = [...seeds]
    for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
      if (members.has(next.pid)) continue
      members.set(next.pid, next)
      for (const child of children.get(next.pid) ?? []) queue.push(child)
    }

    for (const [pid, known] of this.live) {
      const status = members.get(pid)
      if (status && status.startTime === known.startTime) continue
      known.exitedAt = now
      this.live.delete(pid)
      this.exited.push(known)
    }
    if (this.exited.length > MAX_EXITED) this.exited.splice(0, this.exited.length - MAX_EXITED)
    for (const status of members.values()) {
      const known = this.live.get(status.pid)
      if (known) known.name = status.name
      else {
        this.live.set(status.pid, { pid: status.pid, parentPid: status.parentPid, name: status.name, startTime: status.startTime, firstSeenAt: now, exitedAt: null })
      }
    }
    return new Set(this.live.keys())
  }

  /** The members running at the last listing. */
  running(): readonly TreeProcess[] {
    return [...this.live.values()]
  }

  /** Every member seen, running ones first, then those that exited (at most the last thousand). */
  everyProcess(): readonly TreeProcess[] {
    return [...this.live.values(), ...this.exited]
  }

  /** Whether `pid` is a running member. */
  has(pid: number): boolean {
    return this.live.has(pid)
  }
}
