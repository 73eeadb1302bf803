/**
 * The built CLI (out/main/cli.js, made by `npx electron-vite build`) as the integration and e2e
 * tests run it: its path, and a runner that reports a non-zero exit instead of throwing.
 */
import { execFile } from 'node:child_process'
import { resolve } from 'node:path'

/** Path of the built CLI entry. */
export const BUILT_CLI = resolve(__dirname, '../../out/main/cli.js')

/** How a finished CLI run ended and what it printed. */
export interface CliRun {
  /** The exit code, or -1 when a signal ended the run. */
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs `node out/main/cli.js ...args` to its end. */
export function runBuiltCli(...args: readonly string[]): Promise<CliRun> {
  return new Promise((done) => {
    execFile(process.execPath, [BUILT_CLI, ...args], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1
      done({ code, stdout, stderr })
    })
  })
}
