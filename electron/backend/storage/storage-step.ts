/** How a request handler runs a step on the data folder. */
import { RequestError } from '../../../shared/contract/envelope'
import { UnsafeFolderError } from './private-folder'
import { UnsafePathError } from './safe-open'

/** Runs a step on the data folder; an unsafe folder or path becomes a 'failed' answer that says why. */
export async function storageStep<T>(what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step()
  } catch (error) {
    if (error instanceof UnsafeFolderError || error instanceof UnsafePathError) throw new RequestError('failed', `cannot ${what}: ${error.message}`)
    throw error
  }
}
