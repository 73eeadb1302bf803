/**
 * The start and end every one-shot probe result shares: the request's target echoed back
 * (even when it is invalid), the start time, and on finishing the duration and the verdict.
 */
import type { ProbeError, ProbeResultBase } from '../../../shared/model/probe'
import type { TargetAuthorizer } from '../action-policy'
import { millisecondsSince, monotonicNow } from './probe-clock'

/** How a probe runs: what may stop it, and who decides whether its target may be used. */
export interface ProbeRunOptions {
  /** Cancels the probe (app quit, end of `serve`). */
  readonly signal?: AbortSignal
  /** Sees the resolved addresses before anything is sent; without one, any target may be used. */
  readonly authorize?: TargetAuthorizer
}

/** A result being filled in step by step. */
export type ResultDraft<Result> = { -readonly [Key in keyof Result]: Result[Key] }

/** The common fields of a fresh result, and the monotonic start to time it from. */
export function beginResult(request: { readonly host: unknown; readonly port: unknown }): {
  readonly base: Omit<ProbeResultBase, 'ok' | 'error'>
  readonly start: number
} {
  return {
    base: { host: String(request.host), port: Number(request.port), startedAt: Date.now(), durationMs: 0, dns: null },
    start: monotonicNow()
  }
}

/** The finished result: success exactly when there is no error. */
export function finishResult<Result extends ProbeResultBase>(draft: ResultDraft<Result>, start: number, error: ProbeError | null): Result {
  return { ...draft, durationMs: millisecondsSince(start), ok: error === null, error } as Result
}
