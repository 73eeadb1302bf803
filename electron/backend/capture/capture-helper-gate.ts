/**
 * How many capture helper processes may be starting at once. Every helper is a privileged
 * process with its own runtime (tens of megabytes), and any client of web mode can ask for one
 * (`capture/check-filter`, `capture/interfaces`, `capture/start`), so a client that fires
 * requests in a loop must not be able to fill the machine with them.
 */

/** Gives back a place taken with {@link CaptureHelperGate.enter}; calling it again does nothing. */
export type GateRelease = () => void

/** The limits of a {@link CaptureHelperGate}. */
export interface CaptureHelperGateLimits {
  /** Places: helpers that may be starting (or answering a one-shot request) at the same time. */
  readonly places: number
  /** Requests that may wait for a place; one more is refused at once. */
  readonly waiting: number
  /** How long a request waits for a place before it is refused. */
  readonly waitMs: number
}

/** At most two helpers at a time, eight more waiting up to ten seconds each. */
export const CAPTURE_HELPER_LIMITS: CaptureHelperGateLimits = { places: 2, waiting: 8, waitMs: 10_000 }

/** Why a request for a helper was turned away, as a sentence for the user. */
export class CaptureHelperBusyError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CaptureHelperBusyError'
  }
}

interface Waiter {
  readonly admit: (release: GateRelease) => void
  readonly timer: NodeJS.Timeout
}

/** A counting gate with a short, bounded queue. */
export class CaptureHelperGate {
  private taken = 0
  private readonly queue: Waiter[] = []

  constructor(private readonly limits: CaptureHelperGateLimits = CAPTURE_HELPER_LIMITS) {}

  /** Helpers holding a place now. */
  get active(): number {
    return this.taken
  }

  /** Requests waiting for a place now. */
  get waiting(): number {
    return this.queue.length
  }

  /**
   * Takes a place, waiting for one when all are taken. Rejects with a CaptureHelperBusyError
   * when the queue is full or the wait runs out.
   */
  enter(): Promise<GateRelease> {
    if (this.taken < this.limits.places) {
      this.taken += 1
      return Promise.resolve(this.releaser())
    }
    const { places, waiting, waitMs } = this.limits
    if (this.queue.length >= waiting) {
      return Promise.reject(new CaptureHelperBusyError(`the capture helper is busy: ${places} requests are running and ${waiting} are waiting; try again in a moment`))
    }
    return new Promise<GateRelease>((resolve, reject) => {
      const waiter: Waiter = {
        admit: resolve,
        timer: setTimeout(() => {
          this.queue.splice(this.queue.indexOf(waiter), 1)
          reject(new CaptureHelperBusyError(`the capture helper stayed busy with other requests for ${Math.round(waitMs / 1000)} s; try again in a moment`))
        }, waitMs)
      }
      this.queue.push(waiter)
    })
  }

  /** A release for one place: it hands the place to the next waiter, or frees it. */
  private releaser(): GateRelease {
    let released = false
    return () => {
      if (released) return
      released = true
      const next = this.queue.shift()
      if (next === undefined) {
        this.taken -= 1
        return
      }
      clearTimeout(next.timer)
      next.admit(this.releaser())
    }
  }
}
