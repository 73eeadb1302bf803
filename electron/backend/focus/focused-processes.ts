/**
 * The processes someone has focused lately, followed at every tick so that when one exits its
 * last sockets stay on show: the table forgets them the moment the process is gone.
 */
import type { SocketEntry, SocketSnapshot } from '../../../shared/model/socket'
import type { FirstSeen } from '../sockets/socket-first-seen'
import { socketsOf } from './process-focus'

/** How long a process stays followed after its focus view last asked about it. */
export const FOCUS_FOLLOW_MS = 120_000
/** Processes followed at once; the one asked about longest ago makes room. */
const MAX_FOLLOWED = 32

/** What sockscope last saw of a focused process. */
export interface FocusMemory {
  readonly pid: number
  /** Until when to follow it, epoch milliseconds. */
  followUntil: number
  name: string | null
  command: string | null
  user: string | null
  /** Its sockets at the last tick it was seen running. */
  sockets: readonly SocketEntry[]
  /** When each of those was first seen: the table forgets a socket once it is gone. */
  firstSeen: ReadonlyMap<string, FirstSeen>
  lastSeenAt: number | null
  exitedAt: number | null
}

/** Focused processes and what the ticks last showed of them. */
export class FocusedProcesses {
  private readonly memories = new Map<number, FocusMemory>()

  /**
   * @param isRunning whether a process runs now; asked when a followed process's sockets vanish,
   *   to tell a process that closed them from one that exited
   */
  constructor(
    private readonly isRunning: (pid: number) => Promise<boolean>,
    private readonly firstSeen: (id: string) => FirstSeen | undefined
  ) {}

  /** Follows `pid` until `until`; returns its memory. */
  follow(pid: number, until: number): FocusMemory {
    let memory = this.memories.get(pid)
    if (!memory) {
      memory = { pid, followUntil: until, name: null, command: null, user: null, sockets: [], firstSeen: new Map(), lastSeenAt: null, exitedAt: null }
      if (this.memories.size >= MAX_FOLLOWED) this.forgetLeastRecent()
      this.memories.set(pid, memory)
    }
    memory.followUntil = Math.max(memory.followUntil, until)
    return memory
  }

  /** Records what a tick shows of every followed process. */
  async observe(snapshot: Pick<SocketSnapshot, 'takenAt' | 'sockets'>): Promise<void> {
    for (const [pid, memory] of this.memories) {
      if (memory.followUntil < snapshot.takenAt) {
        this.memories.delete(pid)
        continue
      }
      if (memory.exitedAt !== null) continue
      const own = socketsOf(snapshot.sockets, pid)
      if (own.length === 0 && memory.sockets.length > 0 && !(await this.isRunning(pid))) {
        // The process went with its sockets: keep the last ones seen.
        memory.exitedAt = snapshot.takenAt
        continue
      }
      this.remember(memory, own, snapshot.takenAt)
    }
  }

  /** Updates a memory from sockets seen held by its process at `at`. */
  remember(memory: FocusMemory, own: readonly SocketEntry[], at: number): void {
    memory.sockets = own
    const firstSeen = new Map<string, FirstSeen>()
    for (const socket of own) {
      const seen = this.firstSeen(socket.id) ?? memory.firstSeen.get(socket.id)
      if (seen) firstSeen.set(socket.id, seen)
    }
    memory.firstSeen = firstSeen
    memory.lastSeenAt = at
    memory.exitedAt = null
    const owner = own.flatMap((socket) => socket.owners).find((candidate) => candidate.pid === memory.pid)
    if (owner) {
      memory.name = owner.process
      memory.command = owner.command
      memory.user = owner.user
    }
  }

  private forgetLeastRecent(): void {
    let oldest: number | null = null
    let oldestUntil = Infinity
    for (const [pid, memory] of this.memories) {
      if (memory.followUntil < oldestUntil) {
        oldestUntil = memory.followUntil
        oldest = pid
      }
    }
    if (oldest !== null) this.memories.delete(oldest)
  }
}
