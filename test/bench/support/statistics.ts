/** Small statistics for benchmark reports. */
import { elementAt } from '../../../shared/element-at'

/** The median of the samples. */
export function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? elementAt(sorted, middle) : (elementAt(sorted, middle - 1) + elementAt(sorted, middle)) / 2
}

/** Times `run` `count` times and returns the median in milliseconds. */
export async function medianMs(count: number, run: () => Promise<unknown> | unknown): Promise<number> {
  const samples: number[] = []
  for (let index = 0; index < count; index++) {
    const started = performance.now()
    await run()
    samples.push(performance.now() - started)
  }
  return median(samples)
}

/** `1.23` style ratio text. */
export function ratio(value: number, reference: number): string {
  return reference > 0 ? (value / reference).toFixed(2) : 'n/a'
}
