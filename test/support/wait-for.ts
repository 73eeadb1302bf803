/**
 * Polling for something a real socket, process or capture does in its own time. Tests wait for
 * the state they need instead of sleeping a fixed time, so they are as fast as the machine allows.
 */

/** How often the condition is checked. */
const POLL_INTERVAL_MS = 10

/**
 * Resolves once `condition` holds (it may be async), checking every few milliseconds; rejects
 * after `timeoutMs` with an error naming `what` was awaited.
 */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = 'the condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS))
  }
}

/**
 * Resolves no sooner than `ms` milliseconds from now on the monotonic clock. A timer alone may
 * fire a fraction of a millisecond early (its start is the event loop's cached time), which
 * matters to a test that asserts a measured time is at least the delay it caused.
 */
export async function sleepAtLeast(ms: number): Promise<void> {
  const until = performance.now() + ms
  for (let left = ms; left > 0; left = until - performance.now()) {
    await new Promise((resolve) => setTimeout(resolve, Math.ceil(left)))
  }
}
