/**
 * The pieces of a "planted link" attack for file-safety tests: a scratch root per test, a file
 * that stands for one only root may read (the target a planted link points at), and the checks
 * that it was left alone.
 */
import { spawnSync } from 'node:child_process'
import { lstat, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'vitest'

const SECRET_TEXT = 'root only\n'

/** A fresh scratch folder, and in it `elsewhere/root-only.conf` (0600) inside a 0700 folder. */
export interface PlantingGround {
  readonly root: string
  /** The folder holding the secret, where a planted link may point. */
  readonly elsewhere: string
  readonly secret: string
}

/** Makes a {@link PlantingGround} under the OS temp folder. */
export async function preparePlantingGround(prefix: string): Promise<PlantingGround> {
  const root = await mkdtemp(join(tmpdir(), prefix))
  const elsewhere = join(root, 'elsewhere')
  await mkdir(elsewhere, { mode: 0o700 })
  const secret = join(elsewhere, 'root-only.conf')
  await writeFile(secret, SECRET_TEXT, { mode: 0o600 })
  return { root, elsewhere, secret }
}

/** Asserts the secret has its text and mode as made. */
export async function expectSecretUntouched(ground: PlantingGround): Promise<void> {
  expect(await readFile(ground.secret, 'utf8')).toBe(SECRET_TEXT)
  expect(await modeOf(ground.secret)).toBe(0o600)
}

/** The permission bits of `path` itself (a link's own, not its target's). */
export async function modeOf(path: string): Promise<number> {
  return (await lstat(path)).mode & 0o7777
}

/** The id of a process that has already exited, as a crashed run's would be. */
export function finishedProcessId(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout)
}

/** The error `promise` rejects with; fails the test when it resolves instead. */
export async function refusal(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => null,
    (thrown: unknown) => thrown as Error
  )
  expect(error, 'the step should have been refused').not.toBeNull()
  return error as Error
}
