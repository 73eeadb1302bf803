/** Asynchronous, cached, concurrency-bounded reverse DNS that never holds up a tick. */
import { promises as dns } from 'node:dns'

/** Options for reverse lookups. */
export interface ReverseResolverOptions {
  /** Lookups in flight at once; 4 by default. */
  readonly concurrency?: number
  /** Per-lookup time limit; 2000 ms by default. */
  readonly timeoutMs?: number
  /** Cache entries kept before the oldest are dropped; 20,000 by default. */
  readonly maxEntries?: number
  /** Replaces the system resolver (tests). */
  readonly reverse?: (address: string) => Promise<string[]>
}

/** Addresses that have no meaningful name and are never sent to a resolver. */
function isResolvableAddress(address: string): boolean {
  return address !== '' && address !== '*' && address !== '0.0.0.0' && address !== '::' && !address.startsWith('/')
}

/**
 * Looks names up in the background. Callers hand it addresses with `request`, and collect what
 * has been learned since last time with `takeResolved`. Failures are cached as "no name" so a
 * dead resolver is asked about an address once, not once per tick.
 */
export class ReverseResolver {
  private readonly cache = new Map<string, string | null>()
  private readonly queue: string[] = []
  private readonly queued = new Set<string>()
  private fresh: Record<string, string> = {}
  private active = 0
  private readonly reverse: (address: string) => Promise<string[]>

  constructor(private readonly options: ReverseResolverOptions = {}) {
    const resolver = new dns.Resolver({ timeout: options.timeoutMs ?? 2000, tries: 1 })
    this.reverse = options.reverse ?? ((address) => resolver.reverse(address))
  }

  /** Queues the addresses that are neither cached nor queued yet. Returns at once. */
  request(addresses: Iterable<string>): void {
    for (const address of addresses) {
      if (!isResolvableAddress(address) || this.cache.has(address) || this.queued.has(address)) continue
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

  /** Every name known so far. */
  known(): Record<string, string> {
    const names: Record<string, string> = {}
    for (const [address, name] of this.cache) if (name) names[address] = name
    return names
  }

  /** Lookups waiting or running; lets tests wait for the queue to drain. */
  pending(): number {
    return this.queue.length + this.active
  }

  private pump(): void {
    const limit = this.options.concurrency ?? 4
    while (this.active < limit && this.queue.length > 0) {
      const address = this.queue.shift() as string
      this.active++
      this.reverse(address)
        .then((names) => names[0] ?? null)
        .catch(() => null)
        .then((name) => {
          this.remember(address, name)
          this.queued.delete(address)
          this.active--
          this.pump()
        })
    }
  }

  private remember(address: string, name: string | null): void {
    const limit = this.options.maxEntries ?? 20_000
    if (this.cache.size >= limit) {
      const oldest = this.cache.keys().next().value
      if (oldest !== undefined) this.cache.delete(oldest)
    }
    this.cache.set(address, name)
    if (name) this.fresh[address] = name
  }
}
