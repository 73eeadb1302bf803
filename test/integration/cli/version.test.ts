/**
 * `sockscope --version` and `-V` from the build print the version package.json had when the
 * command was built; the overview names the option.
 */
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runBuiltCli } from '../../support/built-cli'

async function packageVersion(): Promise<string> {
  const manifest = JSON.parse(await readFile(resolve(__dirname, '../../../package.json'), 'utf8')) as { version: string }
  return manifest.version
}

describe('sockscope --version', () => {
  it.each(['--version', '-V'])('%s prints the package version and exits 0', async (flag) => {
    const version = await packageVersion()
    expect(version).toMatch(/^\d+\.\d+\.\d+/)
    const run = await runBuiltCli(flag)
    expect(run).toEqual({ code: 0, stdout: `sockscope ${version}\n`, stderr: '' })
  })

  it('is named in the overview', async () => {
    const run = await runBuiltCli('--help')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('sockscope --version')
  })
})
