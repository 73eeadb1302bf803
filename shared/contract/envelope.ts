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
  /** For `invalid-arguments`: each refused argument as data, so a form can name it with its own label. */
  readonly problems?: readonly ArgumentProblem[]
}

/** What an argument broke: a bound, a kind of value, a list of choices, or a format. */
export type ArgumentRule = 'at-least' | 'at-most' | 'whole-number' | 'number' | 'text' | 'on-off' | 'shorter' | 'longer' | 'one-of' | 'unknown-field' | 'format' | 'invalid'

/** One argument a channel's schema refused. */
export interface ArgumentProblem {
  /** Where it sits in the arguments, `port` or `dnsQuery.name`; empty for the arguments as a whole. */
  readonly field: string
  readonly rule: ArgumentRule
  /** The bound of `at-least`, `at-most`, `shorter` (at least this long) and `longer` (at most this long). */
  readonly limit: number | null
  /** The allowed values of `one-of`. */
  readonly choices: readonly string[] | null
  /** What a `format` rule asks for, in the schema's own words. */
  readonly note: string | null
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
