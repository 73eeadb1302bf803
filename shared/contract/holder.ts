/** Connection-holder channels: open many connections to one target and keep them open. */
import * as v from 'valibot'
import { PROBE_LIMITS, type HeldConnectionGroup, type HolderStatus } from '../model/probe'
import { event, integerBetween, noArguments, request } from './define'
import { bounded, identifier, target } from './target-arguments'

/** Requests and events of the holder domain. */
export const holderContract = {
  requests: {
    /**
     * Opens and holds connections. A target beyond this machine fails with `permission-denied`
     * unless the backend's policy allows it; even then, `allowNonLoopback` must confirm it.
     */
    'holder/open': request(
      v.strictObject({
        ...target,
        count: integerBetween(PROBE_LIMITS.holderCount.min, PROBE_LIMITS.holderCount.max),
        allowNonLoopback: v.optional(v.boolean()),
        timeoutMs: bounded(PROBE_LIMITS.timeoutMs)
      })
    ).returns<HeldConnectionGroup>(),
    /** Releases one group, or every group when no id is given. */
    'holder/release': request(v.strictObject({ id: v.optional(identifier) })).returns<HolderStatus>(),
    'holder/status': request(noArguments).returns<HolderStatus>()
  },
  events: {
    'holder/update': event<HolderStatus>()
  }
} as const
