/** Number and time formats of the capture view, shared by its components. */
import { formatBytes } from '../../../../shared/format/number-text'

/** Seconds since the first packet with microsecond digits, the way capture tools show them. */
export function formatRelativeTime(seconds: number): string {
  return seconds.toFixed(6)
}

/** `1.5 MiB/s` for a byte rate. */
export function formatByteRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`
}

/** `12,345` with the user's digit grouping. */
export function formatCount(count: number): string {
  return Math.round(count).toLocaleString()
}

/** `1.234 s`, `2 min 5 s` for a duration in seconds. */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 3 : 1)} s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`
}
