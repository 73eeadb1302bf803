/**
 * koffi for the macOS and Windows providers, loaded on first use (it takes tens of milliseconds)
 * and only on the OS whose libraries it binds. Loading it never happens on import, so the
 * providers compile, load and unit-test on any OS.
 */
import { createRequire } from 'node:module'
import { errorMessage } from '../../../shared/error-message'

/** The koffi module's type. */
export type Koffi = typeof import('koffi')

let koffi: Koffi | null = null

/** koffi itself; throws an error that says koffi could not be loaded, and why. */
export function loadKoffi(): Koffi {
  if (koffi !== null) return koffi
  try {
    koffi = createRequire(__filename)('koffi') as Koffi
    return koffi
  } catch (error) {
    throw new Error(`koffi could not be loaded (${errorMessage(error)})`, { cause: error })
  }
}
