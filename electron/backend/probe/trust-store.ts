/**
 * The CA certificates a TLS probe trusts by default: the operating system's, as other tools
 * on the machine would use, rather than only the list built into Node.
 */
import { readFile } from 'node:fs/promises'
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls'
import * as tls from 'node:tls'
import type { TrustStore } from '../../../shared/model/probe'

/** Where Linux distributions and BSDs keep the combined CA bundle. */
const SYSTEM_BUNDLE_PATHS = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/ca-bundle.pem',
  '/etc/ssl/cert.pem',
  '/usr/local/etc/openssl/cert.pem'
]

/** A trust store ready for tls.connect. */
export interface LoadedTrustStore {
  readonly store: TrustStore
  readonly secureContext: SecureContext
}

let systemStore: Promise<LoadedTrustStore> | null = null

function countCertificates(pem: string): number {
  return pem.split('-----BEGIN CERTIFICATE-----').length - 1
}

async function loadSystemStore(): Promise<LoadedTrustStore> {
  // Node 22.15+ and Electron can read the OS store directly (including macOS and Windows).
  const getCertificates = (tls as { getCACertificates?: (type: 'system') => string[] }).getCACertificates
  if (typeof getCertificates === 'function') {
    const certificates = getCertificates('system')
    if (certificates.length > 0) {
      return {
        store: { kind: 'system', source: "the operating system's certificate store", certificateCount: certificates.length },
        secureContext: createSecureContext({ ca: certificates })
      }
    }
  }
  for (const path of SYSTEM_BUNDLE_PATHS) {
    const pem = await readFile(path, 'utf8').catch(() => null)
    if (pem === null || countCertificates(pem) === 0) continue
    return {
      store: { kind: 'system', source: path, certificateCount: countCertificates(pem) },
      secureContext: createSecureContext({ ca: pem })
    }
  }
  return {
    store: { kind: 'node-bundled', source: "Node's built-in Mozilla CA list", certificateCount: rootCertificates.length },
    secureContext: createSecureContext({ ca: [...rootCertificates] })
  }
}

/** The system trust store, loaded once and shared by every probe. */
export function systemTrustStore(): Promise<LoadedTrustStore> {
  systemStore ??= loadSystemStore()
  return systemStore
}

/** A trust store made of the user's CA certificates only. */
export function customTrustStore(pem: string, source: string): LoadedTrustStore {
  return {
    store: { kind: 'ca-file', source, certificateCount: countCertificates(pem) },
    secureContext: createSecureContext({ ca: pem })
  }
}
