/** Requests to a real backend through its own entry, for tests that check answers and refusals. */
import type { RequestArgs, RequestChannel, RequestResult } from '../../shared/contract'
import type { Failure } from '../../shared/contract/envelope'
import type { Backend } from '../../electron/backend'

/** The answer to a request that must succeed; a refusal fails the test with its code and message. */
export async function ask<C extends RequestChannel>(backend: Backend, channel: C, args: RequestArgs<C>): Promise<RequestResult<C>> {
  const answer = await backend.handle(channel, args)
  if (!answer.ok) throw new Error(`${channel}: ${answer.error.code}: ${answer.error.message}`)
  return answer.value as RequestResult<C>
}

/** Why the backend refused a request that must be refused; an answer fails the test. Takes any arguments, bad ones included. */
export async function refusal(backend: Backend, channel: string, args: unknown): Promise<Failure> {
  const answer = await backend.handle(channel, args)
  if (answer.ok) throw new Error(`${channel} should have been refused`)
  return answer.error
}
