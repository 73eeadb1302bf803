import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseNetDev } from '../../../../../electron/backend/platform/linux/proc-net-dev'
import { parseProcessLimits, softOpenFilesLimit } from '../../../../../electron/backend/platform/linux/proc-limits'
import { parsePortRange } from '../../../../../electron/backend/platform/linux/port-range'
import { portRangeSize } from '../../../../../shared/model/history'
import { elementAt } from '../../../../../shared/element-at'

const fixtures = join(__dirname, '../../../../fixtures/history')
const fixture = (name: string): Promise<string> => readFile(join(fixtures, name), 'utf8')

describe('parseNetDev', () => {
  it('reads every interface of a real /proc/net/dev', async () => {
    const { interfaces, issues } = parseNetDev(await fixture('proc-net-dev.txt'))
    expect(issues).toEqual([])
    expect(interfaces.map((entry) => entry.name)).toEqual(['lo', 'ifb0', 'ifb1', 'eth0'])
    expect(interfaces[0]).toEqual({ name: 'lo', receiveBytes: 39061, receivePackets: 277, transmitBytes: 39061, transmitPackets: 277 })
    expect(interfaces[3]).toEqual({ name: 'eth0', receiveBytes: 372924606, receivePackets: 9849, transmitBytes: 576173, transmitPackets: 5164 })
  })

  it('reports a damaged line with its number and keeps the others', async () => {
    const text = (await fixture('proc-net-dev.txt')).replace('ifb0:       0       0', 'ifb0:       x       0')
    const { interfaces, issues } = parseNetDev(text + 'garbage without a colon\n')
    expect(interfaces.map((entry) => entry.name)).toEqual(['lo', 'ifb1', 'eth0'])
    expect(issues.map((issue) => issue.line)).toEqual([4, 7])
    expect(elementAt(issues, 0).message).toMatch(/16 counters/)
  })

  it('reads a name that runs into its counters', () => {
    const header = 'Inter-|   Receive\n face |bytes\n'
    const { interfaces } = parseNetDev(header + 'veth1234567890:123456789012 5 0 0 0 0 0 0 777 6 0 0 0 0 0 0\n')
    expect(interfaces).toEqual([{ name: 'veth1234567890', receiveBytes: 123456789012, receivePackets: 5, transmitBytes: 777, transmitPackets: 6 }])
  })
})

describe('parseProcessLimits', () => {
  it('reads the soft open-files limit of a real process', async () => {
    const limits = parseProcessLimits(await fixture('proc-pid-limits.txt'))
    expect(limits).toHaveLength(16)
    expect(softOpenFilesLimit(limits)).toBe(20000)
    expect(limits.find((limit) => limit.name === 'Max cpu time')).toEqual({ name: 'Max cpu time', soft: null, hard: null, unit: 'seconds' })
    expect(limits.find((limit) => limit.name === 'Max nice priority')).toEqual({ name: 'Max nice priority', soft: 0, hard: 0, unit: '' })
  })

  it('sees a lowered ulimit -n', async () => {
    const limits = parseProcessLimits(await fixture('proc-pid-limits-low-nofile.txt'))
    expect(softOpenFilesLimit(limits)).toBe(64)
    expect(limits.find((limit) => limit.name === 'Max open files')?.hard).toBe(64)
  })

  it('says null when the text has no open-files row', () => {
    expect(softOpenFilesLimit(parseProcessLimits('Limit  Soft Limit  Hard Limit  Units\nnonsense\n'))).toBeNull()
  })
})

describe('parsePortRange', () => {
  it('reads the real range', async () => {
    const range = parsePortRange(await fixture('ip-local-port-range.txt'))
    expect(range).toEqual({ low: 32768, high: 60999 })
    expect(portRangeSize(range)).toBe(28232)
  })

  it('refuses text that is not two ordered ports', () => {
    expect(() => parsePortRange('60999 32768')).toThrow(/two ports/)
    expect(() => parsePortRange('abc')).toThrow(/"abc"/)
    expect(() => parsePortRange('1 2 3')).toThrow()
  })
})
