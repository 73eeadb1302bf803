/**
 * The audit domain: the exposure audit of the live socket table, with the opt-in TLS check bounded
 * by {@link TlsCheckGate}, and the reasons the user gives for exposed listeners, saved in the data folder.
 */
import type { ExposureReason } from '../../../shared/model/audit'
import { applyExposureReason, EXPOSURE_REASONS_FILE, parseExposureReasons } from '../../../shared/exposure-reasons'
import type { BackendModuleFactory } from '../backend-module'
import { storageStep } from '../storage/storage-step'
import { runExposureAudit } from './exposure-audit'
import { TlsCheckGate } from './tls-check-gate'

/** Serves `audit/*`. */
export const auditModule: BackendModuleFactory = (context) => {
  const shutdown = new AbortController()
  const gate = new TlsCheckGate()
  let reasons: ExposureReason[] = []
  // A damaged or unsafe file is left alone and counts as no reasons; the next save replaces it.
  const reasonsLoaded = context.data
    .readFile(EXPOSURE_REASONS_FILE)
    .then((text) => {
      if (text === null) return
      const parsed = parseExposureReasons(text, EXPOSURE_REASONS_FILE)
      if (parsed.ok) reasons = parsed.reasons
    })
    .catch(() => undefined)

  const audit = async (probeTls: boolean) => {
    await reasonsLoaded
    const read = await context.sockets.readFresh()
    return runExposureAudit(read, { probeTls, reasons, homeNetns: context.sockets.status().reader.homeNetns, signal: shutdown.signal })
  }

  return {
    handlers: {
      'audit/run': ({ probeTls }) => (probeTls === true ? gate.run(() => audit(true)) : audit(false)),
      'audit/reasons': async () => {
        await reasonsLoaded
        return reasons
      },
      'audit/set-reason': async (change) => {
        await reasonsLoaded
        const next = applyExposureReason(reasons, change)
        // Saved first, so a folder that cannot take them leaves the reasons in use as they were.
        await storageStep('save the exposure reasons', () => context.data.replaceFile(EXPOSURE_REASONS_FILE, JSON.stringify(next, null, 2) + '\n'))
        reasons = next
        return reasons
      }
    },
    dispose() {
      shutdown.abort()
    }
  }
}
