/**
 * Reasons for listeners to be reachable beyond loopback, as the user gives them: saved by the app
 * in the data folder, or kept in a file next to a project and handed to `sockscope audit --reasons`.
 * The same schema checks both, and the same limits bound them.
 */
import * as v from 'valibot'
import type { ExposureReason } from './model/audit'
import { integerBetween, textOfLength } from './contract/define'

/** The reasons file in the data folder; `sockscope audit --reasons` reads the same format. */
export const EXPOSURE_REASONS_FILE = 'exposure-reasons.json'

/** Most reasons kept; a file with more is refused rather than cut short. */
export const MAXIMUM_EXPOSURE_REASONS = 1000

/** Longest reason, in characters. */
export const MAXIMUM_REASON_LENGTH = 500

const protocol = v.picklist(['tcp', 'udp'])
const port = integerBetween(1, 65_535)
const processName = v.nullable(textOfLength(1, 255))
const reasonText = v.pipe(v.string(), v.trim(), v.minLength(1, 'a reason needs some text'), v.maxLength(MAXIMUM_REASON_LENGTH))

/** One reason as a file holds it; `protocol` defaults to tcp and `process` to any process. */
const reasonEntrySchema = v.strictObject({
  protocol: v.optional(protocol, 'tcp'),
  port,
  process: v.optional(processName, null),
  reason: reasonText
})

/** A reasons file: a JSON array of `{ protocol?, port, process?, reason }`. */
export const exposureReasonsSchema = v.pipe(v.array(reasonEntrySchema), v.maxLength(MAXIMUM_EXPOSURE_REASONS))

/** Sets (or, with `reason: null`, removes) the reason for a protocol, port and process. */
export const setExposureReasonSchema = v.strictObject({
  protocol,
  port,
  process: processName,
  reason: v.nullable(reasonText)
})

/** The arguments of setting a reason. */
export type SetExposureReason = v.InferOutput<typeof setExposureReasonSchema>

/** The reasons read from JSON text, or an error that says what is wrong and where. */
export function parseExposureReasons(text: string, source: string): { readonly ok: true; readonly reasons: ExposureReason[] } | { readonly ok: false; readonly error: string } {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    return { ok: false, error: `${source} is not JSON: ${error instanceof Error ? error.message : String(error)}` }
  }
  const parsed = v.safeParse(exposureReasonsSchema, value)
  if (!parsed.success) {
    const [issue] = parsed.issues
    const path = issue?.path?.map((item) => String(item.key)).join('.') ?? ''
    return {
      ok: false,
      error: `${source} is not a list of reasons like [{ "port": 443, "process": "nginx", "reason": "public web server" }]: ${path === '' ? '' : `at ${path}: `}${issue?.message ?? 'invalid'}`
    }
  }
  return { ok: true, reasons: parsed.output }
}

/** The list with one reason set or removed; a reason for the same protocol, port and process is replaced. */
export function applyExposureReason(reasons: readonly ExposureReason[], change: SetExposureReason): ExposureReason[] {
  const others = reasons.filter((entry) => !(entry.protocol === change.protocol && entry.port === change.port && entry.process === change.process))
  if (change.reason === null) return others
  return [...others, { protocol: change.protocol, port: change.port, process: change.process, reason: change.reason }]
}
