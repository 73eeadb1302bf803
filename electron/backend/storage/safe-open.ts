/**
 * Opening files for writing the way a program running as root must: never through a symbolic
 * link someone planted where the file goes, and new files readable by their owner only.
 */
import { randomBytes } from 'node:crypto'
import { constants, type Stats } from 'node:fs'
import { lstat, open, rename, rm, type FileHandle } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/** Mode of every file sockscope creates. */
export const PRIVATE_FILE_MODE = 0o600

/** A path sockscope will not write to, with what to do about it. */
export class UnsafePathError extends Error {
  constructor(
    readonly path: string,
    message: string
  ) {
    super(message)
    this.name = 'UnsafePathError'
  }
}

/** How {@link openForWriting} treats a file that is already there. */
export interface OpenForWritingOptions {
  /** Fails with EEXIST when anything (a file, a link) is already at the path. */
  readonly exclusive?: boolean
  /** Adds to an existing file instead of emptying it. */
  readonly append?: boolean
  /** Opens for reading too. */
  readonly read?: boolean
}

/**
 * Opens `path` for writing without following a symbolic link at the path itself. A file it
 * creates gets mode 0600; an existing file keeps its mode. A link at the path is refused with
 * an UnsafePathError.
 */
export async function openForWriting(path: string, options: OpenForWritingOptions = {}): Promise<FileHandle> {
  const { O_APPEND, O_CREAT, O_EXCL, O_NOFOLLOW, O_RDWR, O_TRUNC, O_WRONLY } = constants
  const existing = options.exclusive ? O_EXCL : options.append ? O_APPEND : O_TRUNC
  const flags = (options.read ? O_RDWR : O_WRONLY) | O_CREAT | O_NOFOLLOW | existing
  let handle: FileHandle
  try {
    handle = await open(path, flags, PRIVATE_FILE_MODE)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP' && (await isSymbolicLink(path))) {
      throw new UnsafePathError(path, `${path} is a symbolic link; sockscope does not write through links. Remove the link or choose another path.`)
    }
    throw error
  }
  // The mode given to open() loses whatever bits the umask masks; a new file gets exactly 0600.
  if (options.exclusive) await handle.chmod(PRIVATE_FILE_MODE)
  return handle
}

/** Creates a new file that must not exist yet (not even as a dangling link), mode 0600. */
export function createNewFile(path: string, options: { readonly read?: boolean } = {}): Promise<FileHandle> {
  return openForWriting(path, { exclusive: true, read: options.read })
}

/**
 * Replaces the file at `path` in one step: the data goes to a new 0600 file beside it, which is
 * then renamed over the old one. A reader sees the old file or the new one, never half of it,
 * and a link at `path` is replaced rather than followed.
 */
export async function replaceFileAtomically(path: string, data: string | Uint8Array): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  const handle = await createNewFile(temporary)
  try {
    try {
      await handle.writeFile(data)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temporary, path)
  } catch (error) {
    await rm(temporary, { force: true })
    throw error
  }
}

/**
 * The text of `path`, or null when there is none; a link at the path is refused, not followed.
 * `check` sees the opened file's status before anything is read, and may throw to refuse it.
 */
export async function readFileWithoutFollowing(path: string, check?: (info: Stats) => void): Promise<string | null> {
  let handle: FileHandle
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return null
    if (code === 'ELOOP') throw new UnsafePathError(path, `${path} is a symbolic link; sockscope does not read its own files through links.`)
    throw error
  }
  try {
    // The status of the file that was opened, not of whatever is at the path by now.
    check?.(await handle.stat())
    return await handle.readFile('utf8')
  } finally {
    await handle.close()
  }
}

async function isSymbolicLink(path: string): Promise<boolean> {
  return lstat(path).then(
    (info) => info.isSymbolicLink(),
    () => false
  )
}
