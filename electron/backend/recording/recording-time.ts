/** Moments within a recording as people type them. */

const offset = /^\+?(\d+(?:\.\d+)?)(ms|s|m|min|h)?$/

const unitMs = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000 } as const

/**
 * Parses a moment: `start`, `end`, an offset from the start (`90`, `+90s`, `2m`, `1.5h`, `500ms`;
 * a bare number is seconds), epoch milliseconds (13 digits) or an ISO date. Throws with the
 * accepted forms listed when the text is none of them.
 */
export function parseRecordingTime(text: string, start: number, end: number): number {
  const value = text.trim()
  if (value === 'start') return start
  if (value === 'end') return end
  if (/^\d{12,}$/.test(value)) return Number(value)
  const [, amount, unit = 's'] = offset.exec(value) ?? []
  if (amount !== undefined) return start + Number(amount) * unitMs[unit as keyof typeof unitMs]
  const date = Date.parse(value)
  if (!Number.isNaN(date)) return date
  throw new Error(`cannot read the time ${JSON.stringify(text)}: use start, end, an offset from the start (90, 90s, 2m, 1h), epoch milliseconds or an ISO date`)
}
