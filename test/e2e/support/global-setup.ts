/**
 * Starts `sockscope serve` from the build once for the whole e2e run, and hands the tokened
 * URL to the tests through the environment.
 */
import { spawn } from 'node:child_process'
import { BUILT_CLI } from '../../support/built-cli'

/** Starts the server, exports its URL and pid, and returns the teardown that stops it. */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const server = spawn(process.execPath, [BUILT_CLI, 'serve', '--port', '0', '--interval', '500'], {
    stdio: ['ignore', 'pipe', 'inherit']
  })
  const url = await new Promise<string>((resolveUrl, reject) => {
    let output = ''
    const timer = setTimeout(() => reject(new Error(`sockscope serve did not print its URL: ${output}`)), 20_000)
    server.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const match = /sockscope web UI: (http:\/\/\S+)/.exec(output)
      if (match) {
        clearTimeout(timer)
        resolveUrl(match[1])
      }
    })
    server.once('exit', (code) => reject(new Error(`sockscope serve exited with ${code}: ${output}`)))
  })
  process.env.SOCKSCOPE_URL = url
  process.env.SOCKSCOPE_SERVER_PID = String(server.pid)
  return async () => {
    server.kill('SIGTERM')
    await new Promise((done) => server.once('exit', done))
  }
}
