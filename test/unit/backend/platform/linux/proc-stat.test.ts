import { describe, expect, it } from 'vitest'
import { parseProcessStat, readProcessStatuses } from '../../../../../electron/backend/platform/linux/proc-stat'

// A real line from /proc/PID/stat, with a name that holds a space and a closing parenthesis.
const LINE =
  '4242 (my ser) ver) S 4100 4242 4242 0 -1 4194560 1405 0 0 0 12 3 0 0 20 0 11 0 987654 1120845824 11766 18446744073709551615 1 1 0 0 0 0 0 4096 134234626 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0'

describe('/proc/PID/stat', () => {
  it('reads pid, parent, state, session, start time and a name with spaces and parentheses', () => {
    expect(parseProcessStat(LINE)).toEqual({ pid: 4242, parentPid: 4100, state: 'S', sessionId: 4242, startTime: 987654, name: 'my ser) ver' })
    // A process that exited and waits for its parent to reap it.
    expect(parseProcessStat(LINE.replace(') S ', ') Z '))).toMatchObject({ state: 'Z' })
  })

  it('refuses text that is not a stat line', () => {
    expect(parseProcessStat('')).toBeNull()
    expect(parseProcessStat('12 (cut short) S 1 2')).toBeNull()
    expect(parseProcessStat(LINE.replace('4100', 'x'))).toBeNull()
    expect(parseProcessStat(LINE.replace(') S ', ') 7 '))).toBeNull()
  })

  it.skipIf(process.platform !== 'linux')('lists this process with its real parent', () => {
    const self = readProcessStatuses().find((status) => status.pid === process.pid)
    expect(self?.parentPid).toBe(process.ppid)
    expect(readProcessStatuses('/nonexistent-proc')).toEqual([])
  })
})
