/**
 * Every request answers with an envelope rather than a thrown error, because neither Electron IPC
 * nor a WebSocket carries an Error faithfully.
 */

/** Why a request failed, in terms a client can act on. */
export type FailureCode = 'invalid-arguments' | 'unknown-channel' | 'untrusted-sender' | 'not-found' | 'permission-denied' | 'unsupported' | 'busy' | 'failed'

/** A failed request: a code for programs and a sentence for people. */
export interface Failure {
  readonly code: FailureCode
  readonly message: string
}

/** The answer to any request. */
export type Envelope<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: Failure }

/** An error a backend handler throws on purpose, carrying a failure code to the client. */
export class RequestError extends Error {
  constructor(
    readonly code: FailureCode,
    message: string
  ) {
    super(message)
    this.name = 'RequestError'
  }
}
