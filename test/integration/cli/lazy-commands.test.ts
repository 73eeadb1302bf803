/**
 * Start-up cost: the built CLI loads a command's code only when that command runs. `--help`
 * loads no command and nothing of the backend; `list` loads the socket tables but not capture,
 * probes, the web server, recordings or the contract's schemas. Read from the files the process
 * really required, so an eager import anywhere on the path fails here.
 */
import { describe, expect, it } from 'vitest'
import { cliLoadedModules } from '../../support/loaded-modules'

const COMMANDS = ['list', 'serve', 'exporter', 'capture', 'probe', 'listen', 'watch', 'check', 'diff', 'read'] as const

/** Command modules in `sources`, by command name. */
function commandModules(sources: ReadonlySet<string>): string[] {
  const names: string[] = []
  for (const source of sources) {
    const name = /^electron\/cli\/commands\/([a-z-]+)\.ts$/.exec(source)?.[1]
    if (name !== undefined && name !== 'index') names.push(name)
  }
  return names.sort()
}

function under(sources: ReadonlySet<string>, ...folders: string[]): string[] {
  return [...sources].filter((source) => folders.some((folder) => source.startsWith(folder))).sort()
}

describe('the built CLI loads commands lazily', () => {
  it('--help loads no command module, nothing of the backend and no package', async () => {
    const loaded = await cliLoadedModules('--help')
    expect(loaded.run.code).toBe(0)
    expect(loaded.run.stdout).toContain('Commands:')
    // The marks were read: the entry itself is there.
    expect(loaded.sources).toContain('electron/cli/index.ts')
    expect(commandModules(loaded.sources)).toEqual([])
    expect(under(loaded.sources, 'electron/backend/', 'shared/contract/', 'shared/query/')).toEqual([])
    expect([...loaded.packages]).toEqual([])
  })

  it('list --json --no-resolve loads the socket tables but not capture, probes, the web server or schemas', async () => {
    // The filter keeps the output small whatever else the machine holds; the tables are still read whole.
    const loaded = await cliLoadedModules('list', '--json', '--no-resolve', '--filter', 'port:1')
    expect(loaded.run.code).toBe(0)
    expect(JSON.parse(loaded.run.stdout)).toBeInstanceOf(Array)
    expect(commandModules(loaded.sources)).toEqual(['list'])
    expect(loaded.sources).toContain('electron/backend/platform/linux/process-table.ts')
    const notNeeded = [
      'electron/backend/capture/',
      'electron/backend/probe/',
      'electron/backend/web/',
      'electron/backend/listener/',
      'electron/backend/holder/',
      'electron/backend/recording/',
      'electron/backend/history/',
      'electron/backend/leaks/',
      'electron/backend/storage/',
      'electron/backend/backend.ts',
      'shared/contract/'
    ]
    expect(under(loaded.sources, ...notNeeded)).toEqual([])
    for (const name of ['valibot', 'ws', 'cap']) expect(loaded.packages).not.toContain(name)
  })

  it.each(COMMANDS)('%s --help loads that command module alone', async (command) => {
    const loaded = await cliLoadedModules(command, '--help')
    expect(loaded.run.code).toBe(0)
    expect(loaded.run.stdout).toMatch(new RegExp(`^Usage: sockscope ${command}\\b`))
    expect(commandModules(loaded.sources)).toEqual([command])
  })
})
