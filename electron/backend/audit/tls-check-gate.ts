/**
 * How often clients may have the audit probe every listener: one probing run at a time, and a
 * pause between runs. Any web client holding the token can ask for a run, so without this a page
 * could turn sockscope into a loop of handshakes against every service on the machine.
 */
import { RequestError } from '../../../shared/contract/envelope'

/** Shortest time between the starts of two probing runs, milliseconds. */
export const MINIMUM_TLS_CHECK_INTERVAL_MS = 10_000

/** Admits probing runs one at a time, at most one per interval. */
export class TlsCheckGate {
  private running = false
  private lastStartedAt: number | null = null

  constructor(
    private readonly minimumIntervalMs = MINIMUM_TLS_CHECK_INTERVAL_MS,
    private readonly now: () => number = () => performance.now()
  ) {}

  /** Runs `check` when a run may start now; otherwise refuses with a `busy` error that says when to try again. */
  async run<T>(check: () => Promise<T>): Promise<T> {
    if (this.running) throw new RequestError('busy', 'A TLS check of the listeners is already running; its result comes with that run.')
    const now = this.now()
    if (this.lastStartedAt !== null && now - this.lastStartedAt < this.minimumIntervalMs) {
      const wait = Math.ceil((this.minimumIntervalMs - (now - this.lastStartedAt)) / 1000)
      throw new RequestError('busy', `The listeners were probed for TLS moments ago; try again in ${wait} s.`)
    }
    this.running = true
    this.lastStartedAt = now
    try {
      return await check()
    } finally {
      this.running = false
    }
  }
}
