/** Runs an OS tool for a provider's fallback reader: no shell, bounded in time and output. */
import { execFile } from 'node:child_process'

/** How long a tool may run before it is stopped, milliseconds. */
const COMMAND_TIMEOUT_MS = 15_000
/** Most output a tool may write; a socket table of 100k rows fits. */
const COMMAND_MAX_BYTES = 64 * 1024 * 1024

/** The output of `file args…`; rejects with the tool's own words when it fails to start or exits non-zero. */
export function runCommand(file: string, args: readonly string[], options: { readonly acceptExitCodes?: readonly number[] } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, [...args], { encoding: 'utf8', timeout: COMMAND_TIMEOUT_MS, maxBuffer: COMMAND_MAX_BYTES, windowsHide: true }, (error, stdout, stderr) => {
      const code = error === null ? 0 : (error as NodeJS.ErrnoException & { code?: unknown }).code
      if (error === null || (typeof code === 'number' && (options.acceptExitCodes ?? []).includes(code))) {
        resolve(stdout)
        return
      }
      const said = stderr.trim().split('\n')[0] ?? ''
      reject(new Error(`${file} ${args.join(' ')} failed: ${said === '' ? error.message : said}`))
    })
  })
}
