import { describe, expect, it } from 'vitest'
import { interfaceRates } from '../../../../electron/backend/history/interface-rates'

describe('interfaceRates', () => {
  const before = [{ name: 'lo', receiveBytes: 1000, receivePackets: 10, transmitBytes: 1000, transmitPackets: 10 }]

  it('turns counter deltas into per-second rates', () => {
    const after = [{ name: 'lo', receiveBytes: 3000, receivePackets: 14, transmitBytes: 3000, transmitPackets: 14 }]
    expect(interfaceRates(before, after, 500)).toEqual([
      { name: 'lo', receiveBytesPerSecond: 4000, transmitBytesPerSecond: 4000, receivePacketsPerSecond: 8, transmitPacketsPerSecond: 8 }
    ])
  })

  it('treats a counter going backwards as zero and skips new interfaces', () => {
    const after = [
      { name: 'lo', receiveBytes: 10, receivePackets: 1, transmitBytes: 2000, transmitPackets: 20 },
      { name: 'eth9', receiveBytes: 5, receivePackets: 5, transmitBytes: 5, transmitPackets: 5 }
    ]
    expect(interfaceRates(before, after, 1000)).toEqual([
      { name: 'lo', receiveBytesPerSecond: 0, transmitBytesPerSecond: 1000, receivePacketsPerSecond: 0, transmitPacketsPerSecond: 10 }
    ])
    expect(interfaceRates(before, after, 0)).toEqual([])
  })
})
