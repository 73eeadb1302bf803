/**
 * Reads a peer's certificate chain into the fields a person checks: names, dates, key and
 * fingerprint.
 */
import { X509Certificate } from 'node:crypto'
import { checkServerIdentity, type DetailedPeerCertificate, type TLSSocket } from 'node:tls'
import type { CertificateDetails } from '../../../shared/model/probe'

const DAY_MS = 86_400_000
/** Longest chain walked; real chains have 2-4 certificates. */
const MAXIMUM_CHAIN_LENGTH = 10

/** Bits of the curves Node names in asymmetricKeyDetails.namedCurve. */
const CURVE_BITS: Readonly<Record<string, number>> = {
  prime256v1: 256,
  secp256k1: 256,
  secp384r1: 384,
  secp521r1: 521,
  secp224r1: 224
}

/** Bits of keys whose type fixes their size. */
const FIXED_KEY_BITS: Readonly<Record<string, number>> = { ed25519: 256, ed448: 456, x25519: 256, x448: 448 }

function attributeValue(distinguishedName: string, key: string): string | null {
  const line = distinguishedName.split('\n').find((entry) => entry.startsWith(`${key}=`))
  return line === undefined ? null : line.slice(key.length + 1)
}

/** Split OpenSSL's "DNS:a, IP Address:b" list; a comma inside a value is not followed by "Type:". */
export function splitSubjectAltNames(text: string | undefined): string[] {
  if (text === undefined || text.trim() === '') return []
  return text.split(/, (?=[A-Za-z][A-Za-z ]*:)/).map((entry) => entry.trim())
}

function isoDate(text: string): string {
  const time = Date.parse(text)
  return Number.isNaN(time) ? text : new Date(time).toISOString()
}

function keySizeOf(keyType: string | null, modulusLength: number | undefined, curve: string | null): number | null {
  if (modulusLength !== undefined) return modulusLength
  return (curve === null ? undefined : CURVE_BITS[curve]) ?? (keyType === null ? undefined : FIXED_KEY_BITS[keyType]) ?? null
}

/** Describe one certificate as of `now` (epoch milliseconds). */
export function describeCertificate(certificate: X509Certificate, now: number): CertificateDetails {
  const validFrom = Date.parse(certificate.validFrom)
  const validTo = Date.parse(certificate.validTo)
  const key = certificate.publicKey
  const keyType = key.asymmetricKeyType ?? null
  const details = key.asymmetricKeyDetails ?? {}
  const keyCurve = details.namedCurve ?? null
  const keySize = keySizeOf(keyType, details.modulusLength, keyCurve)
  let verifiesWithOwnKey: boolean
  try {
    verifiesWithOwnKey = certificate.verify(key)
  } catch {
    verifiesWithOwnKey = false
  }
  return {
    subject: certificate.subject.split('\n').join(', '),
    subjectCommonName: attributeValue(certificate.subject, 'CN'),
    issuer: certificate.issuer.split('\n').join(', '),
    issuerCommonName: attributeValue(certificate.issuer, 'CN'),
    subjectAltNames: splitSubjectAltNames(certificate.subjectAltName),
    validFrom: isoDate(certificate.validFrom),
    validTo: isoDate(certificate.validTo),
    daysToExpiry: Math.floor((validTo - now) / DAY_MS),
    expired: now > validTo,
    notYetValid: now < validFrom,
    fingerprint256: certificate.fingerprint256,
    serialNumber: certificate.serialNumber,
    keyType,
    keySize,
    keyCurve,
    isCertificateAuthority: certificate.ca,
    selfSigned: certificate.subject === certificate.issuer && verifiesWithOwnKey,
    pem: certificate.toString()
  }
}

/**
 * The chain the peer presented, leaf first, completed by Node with issuers from the trust
 * store where it found them.
 */
export function peerCertificateChain(socket: TLSSocket, now: number): CertificateDetails[] {
  const chain: CertificateDetails[] = []
  let current: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true)
  const seen = new Set<string>()
  while (current?.raw !== undefined && chain.length < MAXIMUM_CHAIN_LENGTH) {
    if (seen.has(current.fingerprint256)) break
    seen.add(current.fingerprint256)
    chain.push(describeCertificate(new X509Certificate(current.raw), now))
    current = current.issuerCertificate
  }
  return chain
}

/** Whether the peer's leaf certificate covers `name` (a host name or an IP address). */
export function leafMatchesName(socket: TLSSocket, name: string): boolean | null {
  const leaf = socket.getPeerCertificate(false)
  if (leaf === null || Object.keys(leaf).length === 0) return null
  return checkServerIdentity(name, leaf) === undefined
}
