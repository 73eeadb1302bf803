/**
 * The reverse resolver's guards, driven through an injected lookup so every call is counted:
 * failures are remembered for their time-to-live, lookups in flight never exceed the bound, and
 * a lookup past its time limit is given up without freeing its thread early.
 */
import { describe, expect, it } from 'vitest'
import { ReverseResolver, type NameLookup } from '../../../../electron/backend/dns/reverse-resolver'
import { waitFor } from '../../../support/wait-for'

/** A lookup whose answers the test releases by hand, counting calls and calls in flight. */
function manualLookup() {
  const waiting = new Map<string, (name: string | null) => void>()
  const state = { calls: [] as string[], inFlight: 0, maxInFlight: 0 }
  const lookup: NameLookup = (address) => {
    state.calls.push(address)
    state.inFlight += 1
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight)
    return new Promise((resolve) => {
      waiting.set(address, (name) => {
        state.inFlight -= 1
        waiting.delete(address)
        resolve(name)
      })
    })
  }
  /** Answers every lookup now in flight with `name(address)`. */
  const answerAll = (name: (address: string) => string | null) => {
    for (const [address, answer] of [...waiting]) answer(name(address))
  }
  return { lookup, state, answerAll, waiting }
}

function addresses(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `10.0.${Math.floor(index / 250)}.${(index % 250) + 1}`)
}

describe('ReverseResolver', () => {
  it('asks about a failed address once within the failure time-to-live, and again after it', async () => {
    let now = 1_000_000
    let calls = 0
    const resolver = new ReverseResolver({
      failureTtlMs: 60_000,
      now: () => now,
      lookup: async () => {
        calls += 1
        throw Object.assign(new Error('getnameinfo ENOTFOUND'), { code: 'ENOTFOUND' })
      }
    })
    resolver.request(['192.0.2.1'])
    await waitFor(() => resolver.pending() === 0)
    expect(calls).toBe(1)
    for (const step of [1, 30_000, 59_999]) {
      now = 1_000_000 + step
      resolver.request(['192.0.2.1'])
      await waitFor(() => resolver.pending() === 0)
    }
    expect(calls).toBe(1)
    expect(resolver.known()).toEqual({})
    now = 1_000_000 + 60_000
    resolver.request(['192.0.2.1'])
    await waitFor(() => resolver.pending() === 0)
    expect(calls).toBe(2)
  })

  it('remembers an address without a name like a failure', async () => {
    let calls = 0
    const resolver = new ReverseResolver({ lookup: async () => (calls++, null) })
    resolver.request(['192.0.2.2'])
    await waitFor(() => resolver.pending() === 0)
    resolver.request(['192.0.2.2', '192.0.2.2'])
    await waitFor(() => resolver.pending() === 0)
    expect(calls).toBe(1)
  })

  it('keeps a name for its own time-to-live, then asks again', async () => {
    let now = 0
    let calls = 0
    const resolver = new ReverseResolver({ nameTtlMs: 10_000, failureTtlMs: 1, now: () => now, lookup: async () => `host-${++calls}.test` })
    resolver.request(['192.0.2.3'])
    await waitFor(() => resolver.pending() === 0)
    expect(resolver.takeResolved()).toEqual({ '192.0.2.3': 'host-1.test' })
    now = 9_999
    resolver.request(['192.0.2.3'])
    await waitFor(() => resolver.pending() === 0)
    expect(calls).toBe(1)
    now = 10_000
    resolver.request(['192.0.2.3'])
    await waitFor(() => resolver.pending() === 0)
    expect(resolver.takeResolved()).toEqual({ '192.0.2.3': 'host-2.test' })
  })

  it.each([1, 2, 5])('runs at most %i lookups at once out of 50, and finishes them all', async (bound) => {
    const manual = manualLookup()
    const resolver = new ReverseResolver({ concurrency: bound, lookup: manual.lookup, timeoutMs: 60_000 })
    const wanted = addresses(50)
    resolver.request(wanted)
    while (resolver.pending() > 0) {
      await waitFor(() => manual.waiting.size > 0)
      // Give any lookup that would start beyond the bound the chance to start.
      await new Promise((resolve) => setTimeout(resolve, 5))
      expect(manual.waiting.size).toBe(Math.min(bound, resolver.pending()))
      manual.answerAll((address) => `name-of-${address}`)
      await new Promise((resolve) => setTimeout(resolve, 0))
    }
    expect(manual.state.maxInFlight).toBe(bound)
    expect(new Set(manual.state.calls)).toEqual(new Set(wanted))
    await waitFor(() => resolver.pending() === 0)
    expect(Object.keys(resolver.known())).toHaveLength(50)
  })

  it('runs two lookups at once by default, leaving the rest of the thread pool free', async () => {
    const manual = manualLookup()
    const resolver = new ReverseResolver({ lookup: manual.lookup })
    resolver.request(addresses(50))
    await waitFor(() => manual.state.calls.length === 2)
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(manual.state.maxInFlight).toBe(2)
    expect(resolver.pending()).toBe(50)
    manual.answerAll(() => null)
  })

  it('gives up on a slow lookup at its time limit, ignores its late answer, and frees the slot only when it ends', async () => {
    const manual = manualLookup()
    const resolver = new ReverseResolver({ concurrency: 1, timeoutMs: 40, lookup: manual.lookup })
    resolver.request(['192.0.2.10', '192.0.2.11'])
    await waitFor(() => manual.state.calls.length === 1)
    await new Promise((resolve) => setTimeout(resolve, 40 + 60))
    // The hung lookup still holds the only slot, so the second address has not started.
    expect(manual.state.calls).toEqual(['192.0.2.10'])
    manual.answerAll(() => 'too-late.test')
    await waitFor(() => manual.state.calls.length === 2)
    expect(manual.state.calls).toEqual(['192.0.2.10', '192.0.2.11'])
    manual.answerAll(() => 'in-time.test')
    await waitFor(() => resolver.pending() === 0)
    expect(resolver.known()).toEqual({ '192.0.2.11': 'in-time.test' })
    // The timed-out address counts as nameless for its time-to-live: it is not asked about again.
    resolver.request(['192.0.2.10'])
    expect(manual.state.calls).toHaveLength(2)
  })

  it('never sends wildcards or unix paths to the resolver', async () => {
    const manual = manualLookup()
    const resolver = new ReverseResolver({ lookup: manual.lookup })
    resolver.request(['', '*', '0.0.0.0', '::', '/run/socket'])
    expect(manual.state.calls).toEqual([])
    expect(resolver.pending()).toBe(0)
  })
})
