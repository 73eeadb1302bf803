/**
 * Certificates for the TLS probe tests, made with the real openssl command in a temporary
 * folder: a self-signed leaf, a test CA, a leaf it signed, and an expired leaf it signed.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** A certificate and its private key, as PEM text. */
export interface KeyPair {
  readonly certificate: string
  readonly key: string
}

/** Everything the TLS tests need. */
export interface TestCertificates {
  readonly folder: string
  /** Self-signed, CN=localhost, SANs localhost and 127.0.0.1, valid for SELF_SIGNED_DAYS days. */
  readonly selfSigned: KeyPair
  readonly certificateAuthority: KeyPair
  /** Signed by the CA, CN=localhost, SANs localhost and 127.0.0.1. */
  readonly leaf: KeyPair
  /** Signed by the CA, already expired. */
  readonly expired: KeyPair
  /** The path of the CA certificate file. */
  readonly certificateAuthorityPath: string
  remove(): Promise<void>
}

/** Days the self-signed certificate is valid for. */
export const SELF_SIGNED_DAYS = 42

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
const LEAF_EXTENSIONS = 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n'

/** Generate the certificates; call remove() when done. */
export async function createTestCertificates(): Promise<TestCertificates> {
  const folder = await mkdtemp(join(tmpdir(), 'sockscope-tls-'))
  const path = (name: string): string => join(folder, name)
  await writeFile(path('leaf.ext'), LEAF_EXTENSIONS)
  await run('openssl', [
    'req',
    '-x509',
    ...EC_KEY,
    '-keyout',
    path('self.key'),
    '-out',
    path('self.pem'),
    '-days',
    String(SELF_SIGNED_DAYS),
    '-subj',
    '/CN=localhost/O=sockscope tests',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1'
  ])
  await run('openssl', ['req', '-x509', ...EC_KEY, '-keyout', path('ca.key'), '-out', path('ca.pem'), '-days', '30', '-subj', '/CN=sockscope Test CA'])
  const signLeaf = async (name: string, days: string): Promise<void> => {
    await run('openssl', ['req', ...EC_KEY, '-keyout', path(`${name}.key`), '-out', path(`${name}.csr`), '-subj', '/CN=localhost'])
    await run('openssl', [
      'x509',
      '-req',
      '-in',
      path(`${name}.csr`),
      '-CA',
      path('ca.pem'),
      '-CAkey',
      path('ca.key'),
      '-CAcreateserial',
      '-days',
      days,
      '-extfile',
      path('leaf.ext'),
      '-out',
      path(`${name}.pem`)
    ])
  }
  await signLeaf('leaf', '20')
  // -days -1 puts notAfter a day before notBefore: a certificate that has already expired.
  await signLeaf('expired', '-1')
  const pair = async (name: string): Promise<KeyPair> => ({
    certificate: await readFile(path(`${name}.pem`), 'utf8'),
    key: await readFile(path(`${name}.key`), 'utf8')
  })
  return {
    folder,
    selfSigned: await pair('self'),
    certificateAuthority: await pair('ca'),
    leaf: await pair('leaf'),
    expired: await pair('expired'),
    certificateAuthorityPath: path('ca.pem'),
    remove: () => rm(folder, { recursive: true, force: true })
  }
}
