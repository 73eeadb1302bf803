/** CSV as RFC 4180 writes it: the one place every CSV export of the app quotes its fields. */

/** One CSV field: quoted when it holds a comma, quote or line break; null is empty. */
export function csvField(value: string | number | boolean | null): string {
  if (value === null) return ''
  const text = String(value)
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** One CSV record with its CRLF. */
export function csvLine(fields: ReadonlyArray<string | number | boolean | null>): string {
  return fields.map(csvField).join(',') + '\r\n'
}
