/**
 * Starts `sockscope serve` from the build once for the whole e2e run, with a data folder of its
 * own (never the real one in the home folder), and hands the tokened URL and that folder to the
 * tests through the environment.
 */
import { startServe } from './serve-process'

/** Starts the server, exports its URL, pid and data folder, and returns the teardown that stops it. */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const server = await startServe('--interval', '500')
  process.env.SOCKSCOPE_URL = server.url
  process.env.SOCKSCOPE_SERVER_PID = String(server.process.pid)
  process.env.SOCKSCOPE_E2E_DATA_DIR = server.dataDirectory
  return () => server.stop()
}
