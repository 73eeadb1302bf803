/** Quantities as people read them, shared by the CLI and every view. */

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB']

/** A byte count in binary units: `512 B`, `1.5 MiB`, `120 GiB`. */
export function formatBytes(bytes: number): string {
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(value >= 100 ? 0 : 1)} ${BYTE_UNITS[unit]}`
}
