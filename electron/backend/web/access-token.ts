/**
 * The secret that web mode and the metrics exporter ask every client for: random unless given,
 * compared in constant time, and never carried by a cookie.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/** A fresh random token (24 bytes, base64url). */
export function newAccessToken(): string {
  return randomBytes(24).toString('base64url')
}

/** Checks what clients send against one token. */
export class AccessToken {
  private readonly digest: Buffer

  constructor(readonly value: string) {
    this.digest = digest(value)
  }

  /** True when `candidate` is the token; the time taken says nothing about how much of it matched. */
  matches(candidate: string | null | undefined): boolean {
    // Digests have one length whatever was sent, so neither the comparison nor its time says how long the token is.
    return typeof candidate === 'string' && candidate !== '' && timingSafeEqual(digest(candidate), this.digest)
  }

  /** True when the request carries the token as `Authorization: Bearer TOKEN`. */
  inBearerHeader(request: IncomingMessage): boolean {
    return this.matches(/^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1])
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest()
}
