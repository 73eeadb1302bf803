import { describe, expect, it } from 'vitest'
import { lineageOf, MAX_ANCESTORS } from '../../../../electron/backend/processes/process-lineage'
import type { ProcessStatus } from '../../../../electron/backend/platform/platform'

const status = (pid: number, parentPid: number): ProcessStatus => ({ pid, parentPid, sessionId: 1, startTime: 0, name: `p${pid}`, state: 'S' })

describe('lineageOf', () => {
  it('gives each pid its ancestors nearest first, and none for a pid the list does not hold', () => {
    const processes = [status(1, 0), status(50, 1), status(60, 50), status(61, 50)]
    expect(lineageOf(processes, [60, 61, 1, 999])).toEqual([
      { pid: 60, ancestors: [50, 1] },
      { pid: 61, ancestors: [50, 1] },
      { pid: 1, ancestors: [] },
      { pid: 999, ancestors: [] }
    ])
  })

  it(`stops at ${MAX_ANCESTORS} ancestors and at a loop of reused pids`, () => {
    const chain = Array.from({ length: MAX_ANCESTORS + 2 }, (_, index) => status(index + 2, index + 1))
    expect(lineageOf(chain, [MAX_ANCESTORS + 2])[0]?.ancestors).toHaveLength(MAX_ANCESTORS)
    expect(lineageOf(chain, [MAX_ANCESTORS + 1])[0]?.ancestors).toHaveLength(MAX_ANCESTORS)
    expect(lineageOf(chain, [MAX_ANCESTORS])[0]?.ancestors).toHaveLength(MAX_ANCESTORS - 1)
    expect(lineageOf([status(7, 8), status(8, 7)], [7])).toEqual([{ pid: 7, ancestors: [8] }])
  })
})
