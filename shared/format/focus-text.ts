/** The process focus view in words: the fd forecast, ages and idle times. */
import type { FdForecast } from '../model/focus'
import { formatConnectionDuration } from './closed-connection-text'

/** A span of time as people read it: `45 s`, `12 min`, `3 h 20 min`, `2 d 4 h`. */
export function formatSpan(milliseconds: number): string {
  const seconds = Math.max(0, Math.round(milliseconds / 1000))
  if (seconds < 60) return `${seconds} s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return seconds % 60 === 0 || minutes >= 10 ? `${minutes} min` : `${minutes} min ${seconds % 60} s`
  const hours = Math.floor(minutes / 60)
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`
  const days = Math.floor(hours / 24)
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`
}

/** A pace of fds per minute with sensible precision: `12 per minute`, `0.8 per minute`. */
function pace(slopePerMinute: number): string {
  const rounded = Math.abs(slopePerMinute) >= 10 ? Math.round(slopePerMinute) : Math.round(slopePerMinute * 10) / 10
  return `${rounded} per minute`
}

/** The fd forecast in one sentence. */
export function fdForecastText(forecast: FdForecast): string {
  switch (forecast.kind) {
    case 'no-limit':
      return 'No forecast: the open-file count or its limit is not known (run as root to read other users’ processes).'
    case 'at-limit':
      return 'At its open-file limit now: every new socket, accept() or file open fails with EMFILE ("too many open files").'
    case 'short-history':
      return `Not enough history for a forecast yet (${formatSpan(forecast.spanSeconds * 1000)} so far).`
    case 'no-growth':
      return `No growth: the open-file count is flat over the last ${formatSpan(forecast.spanSeconds * 1000)}.`
    case 'exhausts':
      return `At ${pace(forecast.slopePerMinute)} it runs out of file descriptors in about ${formatSpan(forecast.secondsLeft * 1000)}.`
  }
}

/** How long a socket has been open: `3 min 5 s`, or `≥ 3 min 5 s` when it was open before sockscope started. */
export function socketAgeText(firstSeenAt: number, openBeforeStart: boolean, now: number): string {
  return `${openBeforeStart ? '≥ ' : ''}${formatSpan(now - firstSeenAt)}`
}

/** Idle times from tcp_info, `sent 2.1 s ago, received 40 ms ago`; `–` without tcp_info. */
export function idleText(idleSendMs: number | null, idleReceiveMs: number | null): string {
  if (idleSendMs === null && idleReceiveMs === null) return '–'
  return `sent ${formatConnectionDuration(idleSendMs)} ago, received ${formatConnectionDuration(idleReceiveMs)} ago`
}
