/**
 * Questions for the user, asked one at a time: a host shows one dialog, answers it, then the
 * next. Past a bound, more questions are refused instead of stacking dialogs a page could pile up.
 */

/** Runs asks in order, at most `maximumWaiting` at once. */
export class QuestionQueue {
  /** The last question in line; each waits for the one before. Never rejects. */
  private turn: Promise<unknown> = Promise.resolve()
  private waiting = 0

  constructor(readonly maximumWaiting: number) {}

  /** Runs `ask` after every earlier question is answered; null when too many already wait. */
  run<T>(ask: () => Promise<T>): Promise<T> | null {
    if (this.waiting >= this.maximumWaiting) return null
    this.waiting += 1
    const answered = this.turn.then(ask)
    this.turn = answered.catch(() => undefined)
    return answered.finally(() => (this.waiting -= 1))
  }
}
