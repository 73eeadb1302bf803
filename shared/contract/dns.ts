/** Reverse-DNS channels: names for the remote addresses of the socket table. */
import * as v from 'valibot'
import type { NameLookupSetting, ResolvedNames } from '../model/dns'
import { event, noArguments, request } from './define'

/** Requests and events of the dns domain. */
export const dnsContract = {
  requests: {
    /** Every reverse-DNS name known so far. */
    'dns/names': request(noArguments).returns<ResolvedNames>(),
    'dns/set-enabled': request(v.strictObject({ enabled: v.boolean() })).returns<NameLookupSetting>()
  },
  events: {
    /** Names resolved since the last push; batched, never more than once per tick. */
    'dns/resolved': event<ResolvedNames>()
  }
} as const
