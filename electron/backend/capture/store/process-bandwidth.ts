/**
 * Traffic of each process over the whole shown capture, counted as packets arrive: totals in
 * and out, the conversations it owned, and the rate of its last complete second.
 */
import type { ProcessBandwidth } from '../../../../shared/model/capture-view'
import { grown } from '../typed-array-growth'
import type { FlowOwner } from './flow-owner'

/** Traffic of one process, counted as packets arrive. */
interface ProcessAccount {
  /** Its place in the table's list, plus one (0 is no account in {@link ProcessBandwidthTable}'s flow column). */
  readonly number: number
  readonly key: string
  readonly owner: FlowOwner | null
  conversations: number
  packets: number
  bytesIn: number
  bytesOut: number
  /** The latest second with traffic and the bytes of that second and of the one before it. */
  second: number
  secondIn: number
  secondOut: number
  previousIn: number
  previousOut: number
}

/** Per-process totals of the shown capture. */
export class ProcessBandwidthTable {
  private readonly accounts = new Map<string, ProcessAccount>()
  /**
   * Per flow, the number of the account that counted it last. A flow's owner only ever moves
   * forward (nobody, a guess, a confirmed process), so this counts each flow once per account
   * without a set of flows per process.
   */
  private flowAccounts = new Int32Array(0)

  /** The owner counted last and its account: packets come in runs of one owner. */
  private lastOwner: FlowOwner | null | undefined = undefined
  private lastAccount: ProcessAccount | null = null

  /**
   * Counts a packet of `bytes` on the wire at epoch second `second` for `owner` (null gathers the
   * packets nobody owned), `sent` when the owner sent it; `flow` is -1 outside any conversation.
   */
  count(owner: FlowOwner | null, flow: number, second: number, bytes: number, sent: boolean): void {
    let account = this.lastAccount
    if (account === null || owner !== this.lastOwner) {
      account = this.accountOf(owner)
      this.lastOwner = owner
      this.lastAccount = account
    }
    if (flow >= 0) {
      if (flow >= this.flowAccounts.length) this.flowAccounts = grown(this.flowAccounts, flow + 1)
      if (this.flowAccounts[flow] !== account.number) {
        this.flowAccounts[flow] = account.number
        account.conversations++
      }
    }
    account.packets++
    if (second !== account.second) {
      const adjacent = second === account.second + 1
      account.previousIn = adjacent ? account.secondIn : 0
      account.previousOut = adjacent ? account.secondOut : 0
      account.second = second
      account.secondIn = 0
      account.secondOut = 0
    }
    if (sent) {
      account.bytesOut += bytes
      account.secondOut += bytes
    } else {
      account.bytesIn += bytes
      account.secondIn += bytes
    }
  }

  private accountOf(owner: FlowOwner | null): ProcessAccount {
    const key = owner === null ? 'unknown' : owner.pid !== null ? `pid ${owner.pid}` : `name ${owner.process ?? ''}`
    let account = this.accounts.get(key)
    if (account === undefined) {
      const number = this.accounts.size + 1
      account = { number, key, owner, conversations: 0, packets: 0, bytesIn: 0, bytesOut: 0, second: 0, secondIn: 0, secondOut: 0, previousIn: 0, previousOut: 0 }
      this.accounts.set(key, account)
    }
    return account
  }

  /** Every process, busiest first; rates are those of the last complete second before `latestSecond`. */
  rows(latestSecond: number): ProcessBandwidth[] {
    const latest = Math.floor(latestSecond)
    const rows: ProcessBandwidth[] = []
    for (const account of this.accounts.values()) {
      // The rate is the last complete second's traffic, or nothing if the process went quiet.
      const rateIn = account.second === latest ? account.previousIn : account.second === latest - 1 ? account.secondIn : 0
      const rateOut = account.second === latest ? account.previousOut : account.second === latest - 1 ? account.secondOut : 0
      rows.push({
        key: account.key,
        process: account.owner?.process ?? null,
        pid: account.owner?.pid ?? null,
        conversations: account.conversations,
        packets: account.packets,
        bytesIn: account.bytesIn,
        bytesOut: account.bytesOut,
        rateIn,
        rateOut
      })
    }
    return rows.sort((first, second) => second.bytesIn + second.bytesOut - (first.bytesIn + first.bytesOut))
  }
}
