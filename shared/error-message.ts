/** Text for anything a `catch` receives: an Error's own message, or the thrown value as a string. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** Anything a `catch` receives as an Error, so it can be stored, emitted or rethrown with a message. */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error))
}
