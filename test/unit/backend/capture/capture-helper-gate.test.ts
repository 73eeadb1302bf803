/**
 * The gate in front of every capture helper start: two places, a short queue, a bounded wait,
 * and a refusal in words once the queue is full or the wait is over.
 */
import { describe, expect, it } from 'vitest'
import { CAPTURE_HELPER_LIMITS, CaptureHelperBusyError, CaptureHelperGate, type GateRelease } from '../../../../electron/backend/capture/capture-helper-gate'

/** Whether `promise` has settled after the pending callbacks ran. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false
  void promise.then(
    () => (done = true),
    () => (done = true)
  )
  await new Promise((resolve) => setImmediate(resolve))
  return done
}

describe('capture helper gate', () => {
  it('lets two helpers start at once across every caller, and no more', () => {
    expect(CAPTURE_HELPER_LIMITS.places).toBe(2)
  })

  it('admits up to its places at once and queues the next one until a place is given back', async () => {
    const gate = new CaptureHelperGate({ places: 2, waiting: 1, waitMs: 60_000 })
    const first = await gate.enter()
    await gate.enter()
    expect(gate.active).toBe(2)
    const third = gate.enter()
    expect(await settled(third)).toBe(false)
    expect(gate.waiting).toBe(1)
    first()
    first()
    const release = await third
    // The place went to the waiter, and releasing twice did not make a third place.
    expect(gate.active).toBe(2)
    expect(gate.waiting).toBe(0)
    release()
    expect(gate.active).toBe(1)
  })

  it('queues exactly as many as it may and refuses the next one at once', async () => {
    const gate = new CaptureHelperGate({ places: 2, waiting: 3, waitMs: 60_000 })
    const held: GateRelease[] = [await gate.enter(), await gate.enter()]
    const queued = [gate.enter(), gate.enter(), gate.enter()]
    for (const waiter of queued) expect(await settled(waiter)).toBe(false)
    const refused = await gate.enter().catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(CaptureHelperBusyError)
    expect((refused as Error).message).toBe('the capture helper is busy: 2 requests are running and 3 are waiting; try again in a moment')
    for (const release of held) release()
    for (const waiter of queued) (await waiter)()
    expect(gate.active).toBe(0)
  })

  it('refuses a waiter whose wait runs out, and forgets it', async () => {
    const waitMs = 80
    const gate = new CaptureHelperGate({ places: 1, waiting: 4, waitMs })
    const release = await gate.enter()
    const started = performance.now()
    const refused = await gate.enter().catch((error: unknown) => error)
    expect(performance.now() - started).toBeGreaterThanOrEqual(waitMs - 5)
    expect(refused).toBeInstanceOf(CaptureHelperBusyError)
    expect((refused as Error).message).toMatch(/stayed busy with other requests .*try again in a moment/)
    expect(gate.waiting).toBe(0)
    release()
    expect(gate.active).toBe(0)
  })
})
