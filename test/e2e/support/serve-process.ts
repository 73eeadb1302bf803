/**
 * A `sockscope serve` started from the build for e2e tests, with the tokened URL it printed and
 * a data folder of its own, so no e2e run reads or writes the one in the real home folder.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BUILT_CLI } from '../../support/built-cli'
import { elementAt } from '../../../shared/element-at'

/** A running `sockscope serve`. */
export interface ServeProcess {
  /** The URL it printed, token included. */
  readonly url: string
  readonly process: ChildProcess
  /** Its --data-dir, made for this server and deleted by stop(). */
  readonly dataDirectory: string
  /** Stops it with SIGTERM, waits for it to exit and deletes its data folder. */
  stop(): Promise<void>
}

/** Starts `sockscope serve --port 0 --data-dir FRESH ...args` and resolves once it has printed its URL. */
export async function startServe(...args: readonly string[]): Promise<ServeProcess> {
  const dataDirectory = await mkdtemp(join(tmpdir(), 'sockscope-e2e-data-'))
  const server = spawn(process.execPath, [BUILT_CLI, 'serve', '--port', '0', '--data-dir', dataDirectory, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
  const url = await new Promise<string>((resolveUrl, reject) => {
    let output = ''
    const timer = setTimeout(() => reject(new Error(`sockscope serve did not print its URL: ${output}`)), 20_000)
    server.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const match = /sockscope web UI: (http:\/\/\S+)/.exec(output)
      if (match) {
        clearTimeout(timer)
        resolveUrl(elementAt(match, 1))
      }
    })
    server.once('exit', (code) => reject(new Error(`sockscope serve exited with ${code}: ${output}`)))
  })
  const exited = new Promise<void>((done) => server.once('exit', () => done()))
  return {
    url,
    process: server,
    dataDirectory,
    stop: async () => {
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGTERM')
      await exited
      await rm(dataDirectory, { recursive: true, force: true })
    }
  }
}
