/**
 * The action log: entries numbered and pushed, the session keeping the newest, each entry a JSON
 * line in actions.log (0600) that rotates to actions.log.1 at its bound, and never written
 * through a link someone planted; a failed write loses nothing from the session.
 */
import { mkdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ACTION_LOG_FILE, ACTION_LOG_ROTATE_BYTES, ActionLog, SESSION_LOG_ENTRIES, type NewActionLogEntry } from '../../../../electron/backend/actions/action-log'
import { PrivateFolder } from '../../../../electron/backend/storage/private-folder'
import { expectSecretUntouched, modeOf, preparePlantingGround } from '../../../support/planted-files'

const entry = (target: string): NewActionLogEntry => ({
  at: 1_700_000_000_000,
  actor: 'web',
  client: 'web client 1 (127.0.0.1)',
  action: 'stop-process',
  target,
  outcome: 'refused',
  message: 'off'
})

async function fileLines(path: string): Promise<string[]> {
  return (await readFile(path, 'utf8')).trim().split('\n')
}

describe('ActionLog', () => {
  const roots: string[] = []
  afterEach(async () => {
    for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true })
    vi.restoreAllMocks()
  })

  async function folder(): Promise<{ data: PrivateFolder; path: string; ground: Awaited<ReturnType<typeof preparePlantingGround>> }> {
    const ground = await preparePlantingGround('sockscope-action-log-')
    roots.push(ground.root)
    const path = join(ground.root, 'data')
    return { data: new PrivateFolder(path), path, ground }
  }

  it('numbers entries, tells listeners, and writes one JSON line each to a 0600 file', async () => {
    const { data, path } = await folder()
    const log = new ActionLog(data)
    const heard: number[] = []
    log.onEntry((added) => heard.push(added.sequence))
    log.record(entry('node (10)'))
    log.record(entry('node (11)'))
    await log.flushed()
    expect(heard).toEqual([1, 2])
    expect(log.entries().map((kept) => [kept.sequence, kept.target])).toEqual([
      [1, 'node (10)'],
      [2, 'node (11)']
    ])
    const lines = await fileLines(join(path, ACTION_LOG_FILE))
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual(log.entries())
    expect(await modeOf(join(path, ACTION_LOG_FILE))).toBe(0o600)
    expect(await modeOf(path)).toBe(0o700)
  })

  it(`keeps the newest ${SESSION_LOG_ENTRIES} entries in the session`, () => {
    const log = new ActionLog(null)
    for (let index = 0; index < SESSION_LOG_ENTRIES; index += 1) log.record(entry(`node (${index})`))
    expect(log.entries()).toHaveLength(SESSION_LOG_ENTRIES)
    expect(log.entries()[0]!.sequence).toBe(1)
    log.record(entry('one more'))
    expect(log.entries()).toHaveLength(SESSION_LOG_ENTRIES)
    expect(log.entries()[0]!.sequence).toBe(2)
    expect(log.entries().at(-1)!.target).toBe('one more')
  })

  it('rotates to actions.log.1 once the file has reached its bound, not before', async () => {
    const { data, path } = await folder()
    await data.prepare()
    const file = join(path, ACTION_LOG_FILE)
    await writeFile(file, 'x'.repeat(ACTION_LOG_ROTATE_BYTES - 1) + '\n', { mode: 0o600 })
    // Exactly at the bound: this entry starts a new file.
    const log = new ActionLog(data)
    log.record(entry('after rotation'))
    await log.flushed()
    expect((await stat(`${file}.1`)).size).toBe(ACTION_LOG_ROTATE_BYTES)
    expect(await fileLines(file)).toHaveLength(1)

    // Just under the bound: appended to the same file.
    await writeFile(file, 'x'.repeat(ACTION_LOG_ROTATE_BYTES - 2) + '\n', { mode: 0o600 })
    log.record(entry('same file'))
    await log.flushed()
    expect((await fileLines(file)).at(-1)).toContain('same file')
    expect((await stat(`${file}.1`)).size).toBe(ACTION_LOG_ROTATE_BYTES)
  })

  it('does not write through a planted link; the session keeps the entry and a warning says why', async () => {
    const { data, path, ground } = await folder()
    await mkdir(path, { mode: 0o700 })
    await symlink(ground.secret, join(path, ACTION_LOG_FILE))
    const warnings: string[] = []
    vi.spyOn(process, 'emitWarning').mockImplementation((warning: string | Error) => void warnings.push(String(warning)))
    const log = new ActionLog(data)
    log.record(entry('node (10)'))
    await log.flushed()
    await expectSecretUntouched(ground)
    expect(log.entries()).toHaveLength(1)
    expect(warnings.join('\n')).toContain('the action log could not be written')
    expect(warnings.join('\n')).toContain('symbolic link')
  })
})
