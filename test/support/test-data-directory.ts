/**
 * vitest global setup: the whole run gets a fresh data folder through SOCKSCOPE_DATA_DIR, so a
 * backend or a built CLI started without a data folder of its own never reads or writes the one
 * in the real home folder.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DATA_DIRECTORY_VARIABLE } from '../../electron/backend/storage/data-directory'

/** Makes the folder, exports it, and returns the teardown that deletes it. */
export default async function setupTestDataDirectory(): Promise<() => Promise<void>> {
  const folder = await mkdtemp(join(tmpdir(), 'sockscope-test-data-'))
  process.env[DATA_DIRECTORY_VARIABLE] = folder
  return () => rm(folder, { recursive: true, force: true })
}
