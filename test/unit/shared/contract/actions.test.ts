/**
 * The actions channels' arguments: a pid names one process, never a group (0 and negative pids
 * signal groups, -1 every process) and never init; a row id is bounded text.
 */
import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { actionsContract } from '../../../../shared/contract/actions'

const accepts = (channel: keyof typeof actionsContract.requests, args: unknown) => v.safeParse(actionsContract.requests[channel].args, args).success

describe('actions contract', () => {
  it("takes pids from 2 to the kernel's highest, nothing else", () => {
    for (const channel of ['actions/stop-process', 'actions/kill-process'] as const) {
      expect(accepts(channel, { pid: 2 })).toBe(true)
      expect(accepts(channel, { pid: 4_194_304, process: 'node' })).toBe(true)
      for (const pid of [1, 0, -1, -1234, 4_194_305, 2.5, Number.NaN, '1234']) expect(accepts(channel, { pid }), `${channel} ${String(pid)}`).toBe(false)
      expect(accepts(channel, { pid: 1234, process: '' })).toBe(false)
      expect(accepts(channel, { pid: 1234, process: 'x'.repeat(65) })).toBe(false)
      expect(accepts(channel, { pid: 1234, signal: 'SIGKILL' })).toBe(false)
    }
  })

  it('takes a row id of 1 to 600 characters', () => {
    expect(accepts('actions/close-connection', { socketId: 'x' })).toBe(true)
    expect(accepts('actions/close-connection', { socketId: 'x'.repeat(600) })).toBe(true)
    expect(accepts('actions/close-connection', { socketId: '' })).toBe(false)
    expect(accepts('actions/close-connection', { socketId: 'x'.repeat(601) })).toBe(false)
  })
})
