import { describe, expect, it } from 'vitest'
import { explainVerificationFailure } from '../../../../electron/backend/probe/tls-verification'
import { splitSubjectAltNames } from '../../../../electron/backend/probe/certificate-details'
import type { CertificateDetails } from '../../../../shared/model/probe'

const leaf: CertificateDetails = {
  subject: 'CN=api.example',
  subjectCommonName: 'api.example',
  issuer: 'CN=Example CA',
  issuerCommonName: 'Example CA',
  subjectAltNames: ['DNS:api.example', 'DNS:www.api.example'],
  validFrom: '2024-01-01T00:00:00.000Z',
  validTo: '2024-02-01T00:00:00.000Z',
  daysToExpiry: -10,
  expired: true,
  notYetValid: false,
  fingerprint256: 'AA',
  serialNumber: '01',
  keyType: 'rsa',
  keySize: 2048,
  keyCurve: null,
  isCertificateAuthority: false,
  selfSigned: false,
  pem: ''
}

describe('explainVerificationFailure', () => {
  it.each([
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed', 'self-signed'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'unknown-ca', 'Example CA'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unknown-ca', 'Example CA'],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'unknown-ca', 'not a trusted CA'],
    ['CERT_HAS_EXPIRED', 'expired', '2024-02-01'],
    ['CERT_NOT_YET_VALID', 'not-yet-valid', 'clock'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'wrong-host', 'DNS:www.api.example'],
    ['CERT_REVOKED', 'revoked', 'revoked'],
    ['SOMETHING_NEW', 'other', 'SOMETHING_NEW']
  ])('%s is %s', (code, reason, fragment) => {
    const verdict = explainVerificationFailure(code, [leaf], 'other.example')
    expect(verdict.reason).toBe(reason)
    expect(verdict.message).toContain(fragment)
  })
})

describe('splitSubjectAltNames', () => {
  it('splits OpenSSL lists, keeping commas inside values', () => {
    expect(splitSubjectAltNames('DNS:a.example, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1')).toEqual(['DNS:a.example', 'IP Address:127.0.0.1', 'IP Address:0:0:0:0:0:0:0:1'])
    expect(splitSubjectAltNames('DirName:"CN=a, O=b", DNS:x')).toEqual(['DirName:"CN=a, O=b"', 'DNS:x'])
    expect(splitSubjectAltNames(undefined)).toEqual([])
  })
})
