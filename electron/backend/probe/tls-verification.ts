/**
 * Puts the certificate verifier's codes (OpenSSL's X509_V_ERR names as Node reports them,
 * and Node's own host name check) into plain words.
 */
import type { CertificateDetails, TlsVerificationFailure } from '../../../shared/model/probe'

const REASON_BY_CODE: Readonly<Record<string, TlsVerificationFailure>> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'unknown-ca',
  UNABLE_TO_GET_ISSUER_CERT: 'unknown-ca',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unknown-ca',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unknown-ca',
  CERT_UNTRUSTED: 'unknown-ca',
  CERT_HAS_EXPIRED: 'expired',
  CERT_NOT_YET_VALID: 'not-yet-valid',
  ERR_TLS_CERT_ALTNAME_INVALID: 'wrong-host',
  CERT_REVOKED: 'revoked',
  CERT_SIGNATURE_FAILURE: 'bad-signature',
  UNABLE_TO_DECRYPT_CERT_SIGNATURE: 'bad-signature',
  CERT_CHAIN_TOO_LONG: 'other'
}

/** A failed verification, classified and explained. */
export interface VerificationVerdict {
  readonly reason: TlsVerificationFailure
  readonly message: string
}

/** Classify a verification error code, naming the certificate and the checked name in the message. */
export function explainVerificationFailure(code: string, chain: readonly CertificateDetails[], checkedName: string): VerificationVerdict {
  const reason = REASON_BY_CODE[code] ?? 'other'
  const leaf = chain[0]
  const leafName = leaf?.subjectCommonName ?? leaf?.subject ?? 'the certificate'
  switch (reason) {
    case 'self-signed':
      return {
        reason,
        message: `The certificate for ${leafName} is self-signed: it vouches for itself, and no trusted CA vouches for it.`
      }
    case 'unknown-ca': {
      const top = chain[chain.length - 1]
      const issuer = top?.issuerCommonName ?? top?.issuer ?? 'its issuer'
      return code === 'SELF_SIGNED_CERT_IN_CHAIN'
        ? { reason, message: `The chain ends in the root CA "${issuer}", which is not trusted here.` }
        : {
            reason,
            message: `The certificate was issued by "${issuer}", which is not a trusted CA here (or the server left out an intermediate certificate).`
          }
    }
    case 'expired': {
      const expired = chain.find((certificate) => certificate.expired)
      return {
        reason,
        message:
          expired === undefined ? 'A certificate in the chain has expired.' : `The certificate for ${expired.subjectCommonName ?? expired.subject} expired on ${expired.validTo}.`
      }
    }
    case 'not-yet-valid': {
      const early = chain.find((certificate) => certificate.notYetValid)
      return {
        reason,
        message:
          early === undefined
            ? 'A certificate in the chain is not valid yet (check the clock).'
            : `The certificate for ${early.subjectCommonName ?? early.subject} is only valid from ${early.validFrom} (check the clock).`
      }
    }
    case 'wrong-host': {
      const names = leaf?.subjectAltNames.join(', ') ?? ''
      return {
        reason,
        message: `The certificate is not valid for "${checkedName}"; it covers ${names === '' ? leafName : names}.`
      }
    }
    case 'revoked':
      return { reason, message: 'A certificate in the chain has been revoked by its issuer.' }
    case 'bad-signature':
      return { reason, message: 'A certificate signature in the chain does not verify; the chain may be tampered with.' }
    default:
      return { reason, message: `The certificate chain was not trusted (${code}).` }
  }
}
