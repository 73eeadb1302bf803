/**
 * The text formats Prometheus scrapes: OpenMetrics 1.0.0 and the older Prometheus text format
 * 0.0.4. Pure: metric families in, text out. The two differ in little (OpenMetrics escapes `"`
 * in HELP, knows UNIT and ends with `# EOF`), so one writer serves both.
 */

/** Which text format a scrape gets. */
export type ExpositionFormat = 'openmetrics' | 'prometheus'

/** The Content-Type of each format. */
export const EXPOSITION_CONTENT_TYPES: Readonly<Record<ExpositionFormat, string>> = {
  openmetrics: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
  prometheus: 'text/plain; version=0.0.4; charset=utf-8'
}

/** One sample: its labels in the order they are written, and its value. */
export interface MetricSample {
  readonly labels: readonly (readonly [name: string, value: string])[]
  readonly value: number
}

/** A family of gauges sharing a name, help text and (optionally) a unit. */
export interface MetricFamily {
  readonly name: string
  readonly help: string
  /** The unit the name ends with (`seconds`), written as `# UNIT` in OpenMetrics. */
  readonly unit?: string
  readonly samples: readonly MetricSample[]
}

/**
 * The format to answer a scrape's Accept header with: OpenMetrics when the client lists it with
 * a non-zero quality (and no version other than 1.0.0), else the Prometheus text format, which
 * every scraper reads.
 */
export function chooseExposition(accept: string | undefined): ExpositionFormat {
  for (const range of (accept ?? '').split(',')) {
    const [type, ...parameters] = range.split(';').map((part) => part.trim().toLowerCase())
    if (type !== 'application/openmetrics-text') continue
    const values = new Map(parameters.map((parameter) => parameter.split('=').map((part) => part.trim()) as [string, string | undefined]))
    const quality = values.has('q') ? Number(values.get('q')) : 1
    const version = values.get('version')
    if (quality > 0 && (version === undefined || version === '1.0.0')) return 'openmetrics'
  }
  return 'prometheus'
}

/** Writes the families in `format`, each with its HELP and TYPE lines, in the order given. */
export function renderExposition(families: readonly MetricFamily[], format: ExpositionFormat): string {
  const lines: string[] = []
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help, format)}`)
    lines.push(`# TYPE ${family.name} gauge`)
    if (family.unit !== undefined && format === 'openmetrics') lines.push(`# UNIT ${family.name} ${family.unit}`)
    for (const sample of family.samples) lines.push(`${family.name}${labelSet(sample.labels)} ${formatValue(sample.value)}`)
  }
  if (format === 'openmetrics') lines.push('# EOF')
  return lines.join('\n') + '\n'
}

/** `{a="x",b="y"}`, or nothing without labels. */
function labelSet(labels: MetricSample['labels']): string {
  if (labels.length === 0) return ''
  return `{${labels.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(',')}}`
}

/** A label value as both formats want it: backslash, double quote and line feed escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (character) => (character === '\n' ? '\\n' : `\\${character}`))
}

/** HELP text: the Prometheus format escapes backslash and line feed; OpenMetrics also the double quote. */
function escapeHelp(help: string, format: ExpositionFormat): string {
  const special = format === 'openmetrics' ? /[\\"\n]/g : /[\\\n]/g
  return help.replace(special, (character) => (character === '\n' ? '\\n' : `\\${character}`))
}

/** A number as both formats read it: integers plainly, NaN and infinities by name. */
function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (value === Infinity) return '+Inf'
  if (value === -Infinity) return '-Inf'
  return String(value)
}
