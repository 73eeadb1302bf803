/*
 * `netstat -ib` and `sysctl` on macOS. The interface tables are real `netstat -ibdnW` output as
 * published in shirou/gopsutil (net/net_darwin_test.go): one with every name whole, one where
 * netstat cut several utun names to "utun8". No recorded sysctl output was used: its
 * `name: value` format is tested from the documented form.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseNetstatInterfaces } from '../../../../../electron/backend/platform/darwin/netstat-interfaces'
import { parseSysctlValues, portRangeFromSysctl } from '../../../../../electron/backend/platform/darwin/sysctl-values'

const fixture = (name: string) => readFileSync(join(__dirname, '../../../../fixtures/darwin', name), 'utf8')

describe('parseNetstatInterfaces', () => {
  it('reads one entry per interface from its link line, with names of interfaces that are down', () => {
    const { interfaces, issues } = parseNetstatInterfaces(fixture('netstat-ibdnW-gopsutil.txt'))
    expect(issues).toEqual([])
    expect(interfaces).toEqual([
      { name: 'lo0', receivePackets: 27190978, receiveBytes: 12824763793, transmitPackets: 27190978, transmitBytes: 12824763793 },
      { name: 'gif0', receivePackets: 0, receiveBytes: 0, transmitPackets: 0, transmitBytes: 0 },
      { name: 'stf0', receivePackets: 0, receiveBytes: 0, transmitPackets: 0, transmitBytes: 0 },
      { name: 'en0', receivePackets: 5708989, receiveBytes: 7295722068, transmitPackets: 3494252, transmitBytes: 379533492 }
    ])
  })

  it('tells apart interfaces netstat printed under one cut name by their link numbers', () => {
    const { interfaces } = parseNetstatInterfaces(fixture('netstat-ibdnW-truncated-gopsutil.txt'))
    expect(interfaces.map((entry) => [entry.name, entry.receiveBytes])).toEqual([
      ['lo0', 3769823],
      ['gif0', 0],
      ['stf0', 0],
      ['utun8/link88', 27175],
      ['utun8/link90', 29554],
      ['utun8/link92', 29244],
      ['utun8/link93', 28267],
      ['utun8/link95', 28593]
    ])
  })

  it('reads netstat -ib without the Drop column the same way', () => {
    const withoutDrop = fixture('netstat-ibdnW-gopsutil.txt')
      .split('\n')
      .map((line) => line.replace(/\s+\S+$/, ''))
      .join('\n')
    expect(parseNetstatInterfaces(withoutDrop).interfaces).toEqual(parseNetstatInterfaces(fixture('netstat-ibdnW-gopsutil.txt')).interfaces)
  })

  it('reports a link line whose counters are not numbers, and throws a clear error without a header', () => {
    const broken = fixture('netstat-ibdnW-gopsutil.txt').replace('5708989     0 7295722068', 'lots     0 7295722068')
    const { interfaces, issues } = parseNetstatInterfaces(broken)
    expect(interfaces.map((entry) => entry.name)).toEqual(['lo0', 'gif0', 'stf0'])
    expect(issues.map((issue) => [issue.line, issue.message])).toEqual([[8, 'the packet and byte columns are not all numbers']])
    expect(() => parseNetstatInterfaces('nothing here')).toThrow('netstat -ib: no header with Name, Ipkts, Ibytes, Opkts, Obytes')
  })
})

describe('the port range from sysctl', () => {
  const range = (first: string, last: string) => portRangeFromSysctl(parseSysctlValues(`net.inet.ip.portrange.first: ${first}\nnet.inet.ip.portrange.last: ${last}\n`))

  it('reads the two values', () => {
    expect(range('49152', '65535')).toEqual({ low: 49152, high: 65535 })
    expect(range('1', '1')).toEqual({ low: 1, high: 1 })
  })

  it('refuses a range that is not two ordered ports, quoting them', () => {
    expect(() => range('65535', '65536')).toThrow('sysctl: expected two ports in net.inet.ip.portrange.first and net.inet.ip.portrange.last, got "65535" and "65536"')
    expect(() => range('0', '10')).toThrow('got "0" and "10"')
    expect(() => range('600', '599')).toThrow('got "600" and "599"')
    expect(() => portRangeFromSysctl(parseSysctlValues('sysctl: unknown oid'))).toThrow('got null and null')
  })
})
