/**
 * History and leak detection at 10k sockets: the memory an hour of history takes at 1 Hz, and
 * the CPU the recorder and the detector cost per tick, against `ss -tanup` on the same sockets
 * (what "ss in a loop" costs each second) and against keeping the same hour as plain objects.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import type { SocketSnapshot } from '../../shared/model/socket'
import type { HistorySample } from '../../shared/model/history'
import { createSocketProvider } from '../../electron/backend/platform/create-platform'
import { HistoryStore } from '../../electron/backend/history/history-store'
import { HistoryRecorder } from '../../electron/backend/history/history-recorder'
import { LeakDetector } from '../../electron/backend/leaks/leak-detector'
import { medianMs, ratio } from './support/statistics'
import { startProgram, stopPrograms } from '../support/test-programs'

const run = promisify(execFile)
const HOUR_TICKS = 3600
/** Each steady-server connection has both ends in the holder, so it is two sockets and two fds. */
const CONNECTIONS_PER_HOLDER = 2500
const HOLDERS = 2

/** A garbage collector to call before reading the heap, even when node was started without --expose-gc. */
function garbageCollector(): (() => void) | null {
  const exposed = (globalThis as { gc?: () => void }).gc
  if (exposed) return exposed
  setFlagsFromString('--expose-gc')
  const collect = runInNewContext('gc') as (() => void) | undefined
  return typeof collect === 'function' ? collect : null
}

const collectGarbage = garbageCollector()

function heapMegabytes(): number {
  collectGarbage?.()
  collectGarbage?.()
  // Typed-array buffers live outside the JS heap, so they are added in.
  const usage = process.memoryUsage()
  return (usage.heapUsed + usage.arrayBuffers) / 1024 / 1024
}

/** A point like `sample` an hour later, with the counts moved a little, as a busy machine would. */
function jittered(sample: HistorySample, second: number): HistorySample {
  const wobble = (value: number): number => Math.max(0, value + ((second * 7919 + value) % 5) - 2)
  return {
    ...sample,
    tick: sample.tick + second,
    takenAt: sample.takenAt + second * 1000,
    processes: sample.processes.map((process) => ({ ...process, sockets: wobble(process.sockets), fdCount: process.fdCount === null ? null : wobble(process.fdCount) }))
  }
}

/** Prints memory for an hour of history and per-tick CPU of the recorder and the detector. */
export async function runBenchmark(report: (line: string) => void): Promise<void> {
  if (process.platform !== 'linux') {
    report('skipped: reads /proc')
    return
  }
  if (!collectGarbage) report('note: no garbage collector to call, so heap figures are rough')
  for (let index = 0; index < HOLDERS; index++) await startProgram('steady-server.js', [String(CONNECTIONS_PER_HOLDER)])
  try {
    const provider = createSocketProvider()
    const read = await provider.read({ withProcesses: true })
    const snapshot: SocketSnapshot = { tick: 1, takenAt: Date.now(), refreshMs: 0, ...read }
    report(`table: ${snapshot.sockets.length} sockets`)

    // Memory: one real point, then an hour of points like it.
    const heapBefore = heapMegabytes()
    const store = new HistoryStore({ capacity: HOUR_TICKS })
    const recorder = new HistoryRecorder(store)
    const { sample } = await recorder.record(snapshot)
    for (let second = 1; second < HOUR_TICKS + 600; second++) store.append(jittered(sample, second))
    const heapStore = heapMegabytes() - heapBefore
    const info = store.info()
    const naiveBefore = heapMegabytes()
    const naive: HistorySample[] = []
    for (let second = 0; second < HOUR_TICKS; second++) naive.push(jittered(sample, second))
    const heapNaive = heapMegabytes() - naiveBefore
    report(
      `history after a simulated hour at 1 Hz (${info.points} points, ${info.trackedProcesses} processes followed): ` +
        `typed columns ${(info.bytes / 1024 / 1024).toFixed(2)} MB, memory growth ${heapStore.toFixed(2)} MB`
    )
    report(`  the same hour kept as plain sample objects: ${heapNaive.toFixed(2)} MB; ratio ${ratio(heapStore, heapNaive)}`)
    naive.length = 0

    // The bound: every followed process at the cap, each with several states and protocols.
    const crowded = new HistoryStore({ capacity: HOUR_TICKS })
    const manyProcesses = Array.from({ length: crowded.options.maxProcesses }, (_, index) => ({
      pid: 100_000 + index,
      name: `worker${index}`,
      sockets: 80,
      states: { ESTABLISHED: 40, LISTEN: 2, TIME_WAIT: 10, CLOSE_WAIT: 8, SYN_SENT: 10, FIN_WAIT2: 10 },
      protocols: { tcp: 60, udp: 10, unix: 10, raw: 0 },
      fdCount: 120,
      fdSoftLimit: 1024
    }))
    for (let second = 0; second < HOUR_TICKS + 600; second++) crowded.append({ ...jittered(sample, second), processes: manyProcesses })
    report(
      `worst case, ${crowded.info().trackedProcesses} processes followed with 6 states and 3 protocols each: ` +
        `typed columns ${(crowded.info().bytes / 1024 / 1024).toFixed(2)} MB for the hour`
    )

    // CPU per tick on the real 10k-socket table, with an hour of history behind the detector.
    const detector = new LeakDetector()
    let tick = HOUR_TICKS + 600
    const latest = (): HistorySample => jittered(sample, tick)
    detector.evaluate({ history: store, sample: latest(), sockets: snapshot.sockets })
    const detectorMs = await medianMs(30, () => {
      tick++
      const point = latest()
      store.append(point)
      detector.evaluate({ history: store, sample: point, sockets: snapshot.sockets })
    })
    let recorderTick = 1
    const recorderMs = await medianMs(15, () => recorder.record({ ...snapshot, tick: ++recorderTick, takenAt: Date.now() }))
    const ssMs = await medianMs(7, () => run('ss', ['-tanup'], { maxBuffer: 256 * 1024 * 1024 }))
    const cpuBefore = process.cpuUsage()
    for (let index = 0; index < 10; index++) {
      tick++
      const point = latest()
      store.append(point)
      detector.evaluate({ history: store, sample: point, sockets: snapshot.sockets })
    }
    const cpu = process.cpuUsage(cpuBefore)
    report(`per tick at ${snapshot.sockets.length} sockets   median (ms)   ratio to ss -tanup`)
    report(`leak detector             ${detectorMs.toFixed(2).padStart(11)}   ${ratio(detectorMs, ssMs)}`)
    report(`history recorder          ${recorderMs.toFixed(2).padStart(11)}   ${ratio(recorderMs, ssMs)}`)
    report(`ss -tanup (reference)     ${ssMs.toFixed(2).padStart(11)}   1.00`)
    report(`detector CPU per tick: ${((cpu.user + cpu.system) / 1000 / 10).toFixed(2)} ms (${(((cpu.user + cpu.system) / 1000 / 10 / 1000) * 100).toFixed(2)}% of a core at 1 Hz)`)
  } finally {
    await stopPrograms()
  }
}
