/**
 * Asynchronous, cached, concurrency-bounded reverse DNS that never holds up a tick.
 *
 * Names come from the system resolver (getnameinfo, through `dns.lookupService`), so they are
 * the names `getent hosts` and `ss -r` print: /etc/hosts, nsswitch and the OS's DNS settings all
 * apply, as they do for every other program on the machine.
 */
import { promises as dns } from 'node:dns'

/** Looks one address up; null when it has no name. May reject. */
export type NameLookup = (address: string) => Promise<string | null>

/** Options for reverse lookups. */
export interface ReverseResolverOptions {
  /**
   * Lookups in flight at once; 2 by default. getnameinfo runs on libuv's thread pool (4 threads),
   * which file I/O and the probes' own name lookups share, so a slow resolver may take only part of it.
   */
  readonly concurrency?: number
  /** How long to wait for a name before showing the address alone; 2000 ms by default. */
  readonly timeoutMs?: number
  /** Cache entries kept before the oldest are dropped; 20,000 by default. */
  readonly maxEntries?: number
  /** How long a name is trusted before it is looked up again; one hour by default. */
  readonly nameTtlMs?: number
  /** How long an address without a name (or whose lookup failed) is left alone; five minutes by default. */
  readonly failureTtlMs?: number
  /** Replaces the system resolver (tests). */
  readonly lookup?: NameLookup
  /** Replaces the clock the time-to-live is measured on (tests). */
  readonly now?: () => number
}

interface CacheEntry {
  readonly name: string | null
  readonly expiresAt: number
}

/** Addresses that have no meaningful name and are never sent to a resolver. */
function isResolvableAddress(address: string): boolean {
  return address !== '' && address !== '*' && address !== '0.0.0.0' && address !== '::' && !address.startsWith('/')
}

/** The system's name for an address, as getnameinfo gives it; null when it has none. */
export async function systemNameLookup(address: string): Promise<string | null> {
  const { hostname } = await dns.lookupService(address, 0)
  // Without a name, getnameinfo may hand the address back as text: that is not a name.
  return hostname === '' || hostname === address ? null : hostname
}

/**
 * Looks names up in the background. Callers hand it addresses with `request`, and collect what
 * has been learned since last time with `takeResolved`. Failures are cached as "no name" for
 * their own time-to-live, so a dead resolver is asked about an address once in that time, not
 * once per tick.
 */
export class ReverseResolver {
  private readonly cache = new Map<string, CacheEntry>()
  private readonly queue: string[] = []
  private readonly queued = new Set<string>()
  private fresh: Record<string, string> = {}
  private active = 0
  private readonly lookup: NameLookup
  private readonly now: () => number

  constructor(private readonly options: ReverseResolverOptions = {}) {
    this.lookup = options.lookup ?? systemNameLookup
    this.now = options.now ?? Date.now
  }

  /** Queues the addresses that are neither freshly cached nor queued yet. Returns at once. */
  request(addresses: Iterable<string>): void {
    const now = this.now()
    for (const address of addresses) {
      if (!isResolvableAddress(address) || this.queued.has(address)) continue
      const cached = this.cache.get(address)
      if (cached !== undefined && cached.expiresAt > now) continue
      this.queued.add(address)
      this.queue.push(address)
    }
    this.pump()
  }

  /** The names learned since the previous call. */
  takeResolved(): Record<string, string> {
    const resolved = this.fresh
    this.fresh = {}
    return resolved
  }

  /** Every name known so far (an expired name stays shown until a new lookup replaces it). */
  known(): Record<string, string> {
    const names: Record<string, string> = {}
    for (const [address, entry] of this.cache) if (entry.name !== null) names[address] = entry.name
    return names
  }

  /** Lookups waiting or running; lets callers wait for the queue to drain. */
  pending(): number {
    return this.queue.length + this.active
  }

  private pump(): void {
    const limit = this.options.concurrency ?? 2
    while (this.active < limit && this.queue.length > 0) {
      const address = this.queue.shift() as string
      this.active++
      let settled = false
      const settle = (name: string | null): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        this.remember(address, name)
        this.queued.delete(address)
      }
      const timer = setTimeout(() => settle(null), this.options.timeoutMs ?? 2000)
      timer.unref?.()
      // getnameinfo cannot be cancelled: a lookup past its time limit still holds its thread, so
      // its slot frees only when it really ends, and a hung resolver never piles up threads.
      void Promise.resolve()
        .then(() => this.lookup(address))
        .catch(() => null)
        .then((name) => {
          settle(name)
          this.active--
          this.pump()
        })
    }
  }

  private remember(address: string, name: string | null): void {
    const limit = this.options.maxEntries ?? 20_000
    this.cache.delete(address)
    if (this.cache.size >= limit) {
      const oldest = this.cache.keys().next().value
      if (oldest !== undefined) this.cache.delete(oldest)
    }
    const ttl = name === null ? (this.options.failureTtlMs ?? 5 * 60_000) : (this.options.nameTtlMs ?? 60 * 60_000)
    this.cache.set(address, { name, expiresAt: this.now() + ttl })
    if (name !== null) this.fresh[address] = name
  }
}
