/**
 * Exposure audit channels: every listener with its reach, service and warnings, an opt-in TLS
 * check of each (aimed only at this machine), and the reasons the user gives for exposed ones.
 */
import * as v from 'valibot'
import type { AuditReport, ExposureReason } from '../model/audit'
import { setExposureReasonSchema } from '../exposure-reasons'
import { noArguments, request } from './define'

/** Requests of the audit domain. */
export const auditContract = {
  requests: {
    /** Audits the listeners now; `probeTls` also sends each TCP listener a ClientHello from this machine. */
    'audit/run': request(v.strictObject({ probeTls: v.optional(v.boolean()) })).returns<AuditReport>(),
    /** The reasons given so far. */
    'audit/reasons': request(noArguments).returns<readonly ExposureReason[]>(),
    /** Gives (or with `reason: null` takes back) the reason for a listener to be reachable; answers with every reason. */
    'audit/set-reason': request(setExposureReasonSchema).returns<readonly ExposureReason[]>()
  },
  events: {}
} as const
