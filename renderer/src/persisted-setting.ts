/**
 * Settings of the page kept between visits (in the browser's local storage): what the user chose
 * to see, never data. A value that cannot be read back is treated as never saved, and a storage
 * that refuses to write (full, or off in a private window) only loses the setting.
 */

/** The saved value under `key`, parsed, or null when there is none or it cannot be read. */
export function readSetting(key: string): unknown {
  try {
    const text = globalThis.localStorage?.getItem(key)
    return text ? (JSON.parse(text) as unknown) : null
  } catch {
    return null
  }
}

/** Saves `value` under `key`; null removes it. */
export function writeSetting(key: string, value: unknown): void {
  try {
    if (value === null) globalThis.localStorage?.removeItem(key)
    else globalThis.localStorage?.setItem(key, JSON.stringify(value))
  } catch {
    // Storage full or turned off: the setting lasts until the page closes.
  }
}
