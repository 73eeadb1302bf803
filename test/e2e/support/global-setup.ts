/**
 * Starts `sockscope serve` from the build once for the whole e2e run, and hands the tokened
 * URL to the tests through the environment.
 */
import { startServe } from './serve-process'

/** Starts the server, exports its URL and pid, and returns the teardown that stops it. */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const server = await startServe('--interval', '500')
  process.env.SOCKSCOPE_URL = server.url
  process.env.SOCKSCOPE_SERVER_PID = String(server.process.pid)
  return () => server.stop()
}
