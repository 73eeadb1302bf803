/**
 * Rewrites a little-endian classic pcap file in big-endian byte order, field by field, without
 * using sockscope's own reader or writer, so the big-endian fixture is an independent check.
 *
 * Usage: npx tsx test/support/capture/swap-pcap-byte-order.ts IN.pcap OUT.pcap
 */

import { readFileSync, writeFileSync } from 'node:fs'

/** The same pcap file with every header field byte-swapped. */
export function swapPcapByteOrder(input: Uint8Array): Uint8Array {
  const output = Uint8Array.from(input)
  const view = new DataView(output.buffer)
  const swap32 = (position: number) => view.setUint32(position, view.getUint32(position, true), false)
  const swap16 = (position: number) => view.setUint16(position, view.getUint16(position, true), false)
  const magic = view.getUint32(0, true)
  if (magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d) throw new Error('input is not a little-endian pcap file')
  swap32(0)
  swap16(4)
  swap16(6)
  for (const position of [8, 12, 16, 20]) swap32(position)
  let position = 24
  while (position + 16 <= output.length) {
    const capturedLength = new DataView(input.buffer, input.byteOffset).getUint32(position + 8, true)
    for (const field of [0, 4, 8, 12]) swap32(position + field)
    position += 16 + capturedLength
  }
  return output
}

if (process.argv[1]?.endsWith('swap-pcap-byte-order.ts')) {
  const [inputPath, outputPath] = process.argv.slice(2)
  if (inputPath === undefined || outputPath === undefined) throw new Error('usage: swap-pcap-byte-order IN OUT')
  writeFileSync(outputPath, swapPcapByteOrder(readFileSync(inputPath)))
}
