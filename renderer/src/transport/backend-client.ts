/**
 * The one interface the renderer uses to reach the backend. Stores call it; components never do.
 * Whether it runs over Electron IPC or the web-mode WebSocket is invisible from here.
 */
import type { EventChannel, EventPayload, RequestArgs, RequestChannel, RequestResult } from '../../../shared/contract'
import type { Envelope, Failure } from '../../../shared/contract/envelope'
import { errorMessage } from '../../../shared/error-message'
import { failureText, type FieldLabels } from '../../../shared/format/failure-text'

/** A request the backend refused or failed, with its failure code; its message is the failure in words. */
export class BackendRequestError extends Error {
  constructor(readonly failure: Failure) {
    super(failureText(failure))
    this.name = 'BackendRequestError'
  }
}

/**
 * What a store shows for anything its request threw: a refused argument named by the form's own
 * label when the store passes its labels, else the failure's sentence.
 */
export function describeRequestFailure(error: unknown, labels: FieldLabels = {}): string {
  return error instanceof BackendRequestError ? failureText(error.failure, labels) : errorMessage(error)
}

/**
 * Why the server will not serve this page: it was opened without the token, the server does not
 * accept the token it was opened with, the server that served this page restarted (its new start
 * has a new token), or it already serves as many pages as it allows.
 */
export type AccessRefusal = 'no-token' | 'token-rejected' | 'server-restarted' | 'too-many-clients'

/** The renderer's view of the backend. */
export interface BackendClient {
  /** Calls a request channel; rejects with BackendRequestError when the backend answers with a failure. */
  request<C extends RequestChannel>(channel: C, args: RequestArgs<C>): Promise<RequestResult<C>>
  /** Listens to a pushed event; returns the unsubscribe function. */
  subscribe<E extends EventChannel>(event: E, listener: (payload: EventPayload<E>) => void): () => void
  /** Called with false when the link drops and true when it is back (then state must be re-read). */
  onConnectionChange(listener: (connected: boolean) => void): () => void
  /** Called with why the server refuses this page (at once if it already has), and with null once it is served again. */
  onAccessRefused(listener: (refusal: AccessRefusal | null) => void): () => void
}

/** Unwraps an envelope into its value or a thrown BackendRequestError. */
export function unwrapEnvelope<T>(envelope: Envelope<T>): T {
  if (envelope.ok) return envelope.value
  throw new BackendRequestError(envelope.error)
}
