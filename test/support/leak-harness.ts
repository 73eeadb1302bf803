/** Drives a LeakDetector the way the history does: one sample per second into a real store. */
import type { SocketEntry } from '../../shared/model/socket'
import type { HistorySample } from '../../shared/model/history'
import type { Finding } from '../../shared/model/finding'
import { DEFAULT_LEAK_SETTINGS, type LeakSettings } from '../../shared/leak-settings'
import { HistoryStore } from '../../electron/backend/history/history-store'
import { LeakDetector } from '../../electron/backend/leaks/leak-detector'

/** Feeds one tick per second and collects every finding that appeared or cleared. */
export class LeakHarness {
  readonly store = new HistoryStore({ capacity: 3600 })
  readonly detector: LeakDetector
  readonly appeared: Finding[] = []
  readonly cleared: Finding[] = []
  second = 0

  constructor(settings: Partial<LeakSettings> = {}) {
    this.detector = new LeakDetector({ ...DEFAULT_LEAK_SETTINGS, ...settings })
  }

  tick(sample: (takenAt: number) => HistorySample, sockets: readonly SocketEntry[] = [], processParents: ReadonlyMap<number, number> | null = null): void {
    const takenAt = 1_700_000_000_000 + this.second * 1000
    this.second++
    const point = sample(takenAt)
    this.store.append(point)
    const update = this.detector.evaluate({ history: this.store, sample: point, sockets, processParents })
    this.appeared.push(...update.appeared)
    this.cleared.push(...update.cleared)
  }
}
