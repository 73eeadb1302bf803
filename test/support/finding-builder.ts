/** A leak finding for tests that need one but not the detector behind it. */
import type { Finding } from '../../shared/model/finding'

/** A CLOSE_WAIT finding about pid 1, with `overrides` on top; its explanation has two sentences. */
export function buildFinding(overrides: Partial<Finding> = {}): Finding {
  const id = overrides.id ?? 'close-wait:1'
  return {
    id,
    kind: 'close-wait',
    process: { pid: 1, name: 'app' },
    severity: 'warning',
    since: 0,
    updatedAt: 0,
    clearedAt: null,
    title: `title ${id}`,
    explanation: 'First sentence. Second sentence.',
    advice: 'Close it.',
    evidence: { numbers: {}, series: null, groups: [] },
    ...overrides
  }
}
