/*
 * Interface throughput from /proc/net/dev: pushing bytes over a loopback connection between
 * two ticks must show up as at least that many bytes per second on `lo`.
 */
import { createServer, connect, type AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { HistoryStore } from '../../../../electron/backend/history/history-store'
import { HistoryRecorder } from '../../../../electron/backend/history/history-recorder'

const BYTES = 64 * 1024 * 1024

function emptySnapshot(tick: number) {
  return { tick, takenAt: Date.now(), refreshMs: 0, sockets: [], issues: [], partialOwnership: false }
}

async function pushOverLoopback(bytes: number): Promise<void> {
  let received = 0
  let finish: () => void = () => undefined
  const done = new Promise<void>((resolve) => (finish = resolve))
  const server = createServer((socket) => {
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length
      if (received >= bytes) finish()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const client = connect((server.address() as AddressInfo).port, '127.0.0.1')
  const chunk = Buffer.alloc(1024 * 1024, 7)
  for (let sent = 0; sent < bytes; sent += chunk.length) {
    if (!client.write(chunk)) await new Promise((resolve) => client.once('drain', resolve))
  }
  await done
  client.destroy()
  await new Promise((resolve) => server.close(resolve))
}

describe.skipIf(process.platform !== 'linux')('interface throughput', () => {
  it('rises on lo while bytes are pushed over loopback', async () => {
    const store = new HistoryStore({ capacity: 10 })
    const recorder = new HistoryRecorder(store)
    await recorder.record(emptySnapshot(1))
    await new Promise((resolve) => setTimeout(resolve, 300))
    const quiet = (await recorder.record(emptySnapshot(2))).sample

    const before = Date.now()
    await pushOverLoopback(BYTES)
    const busy = (await recorder.record(emptySnapshot(3))).sample
    const seconds = (busy.takenAt - quiet.takenAt) / 1000

    const lo = busy.interfaces.find((rate) => rate.name === 'lo')
    const quietLo = quiet.interfaces.find((rate) => rate.name === 'lo')
    expect(lo, 'lo is listed').toBeDefined()
    expect(busy.takenAt).toBeGreaterThanOrEqual(before)
    // Every pushed byte crossed lo once, so the counter moved by at least that much.
    expect(lo!.receiveBytesPerSecond * seconds).toBeGreaterThanOrEqual(BYTES)
    expect(lo!.transmitBytesPerSecond * seconds).toBeGreaterThanOrEqual(BYTES)
    expect(lo!.receivePacketsPerSecond).toBeGreaterThan(0)
    expect(lo!.receiveBytesPerSecond).toBeGreaterThan(quietLo!.receiveBytesPerSecond)

    const series = store.series({ kind: 'interfaces' }).series.find((entry) => entry.key === 'lo:receiveBytesPerSecond')
    expect(series?.values.at(-1)).toBe(lo!.receiveBytesPerSecond)
  })
})
