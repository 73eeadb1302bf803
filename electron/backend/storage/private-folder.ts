/**
 * sockscope's own folders: made 0700, used only when they are real folders owned by this user
 * and closed to everyone else, and kept where no other user can swap them out. Temporary
 * folders inside them go when they are done with, when the process exits, and (after a crash)
 * at the next start.
 */
import { rmSync, type Stats } from 'node:fs'
import { chmod, lstat, mkdir, mkdtemp, readdir, realpath, rename, rm, stat, type FileHandle } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { createNewFile, openForWriting, readFileWithoutFollowing, replaceFileAtomically } from './safe-open'

/** Mode of every folder sockscope creates. */
export const PRIVATE_FOLDER_MODE = 0o700

/** The sticky bit: in a folder that has it, only an entry's owner may rename or delete it. */
const STICKY_BIT = 0o1000

/** A folder sockscope refuses to keep its files in; the message names it and says what to do. */
export class UnsafeFolderError extends Error {
  constructor(
    readonly path: string,
    message: string
  ) {
    super(message)
    this.name = 'UnsafeFolderError'
  }
}

function currentUid(): number | null {
  return typeof process.geteuid === 'function' ? process.geteuid() : null
}

function modeText(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0')
}

/** What makes an entry not private to this user, and whether chmod fixes it; null when it is private. */
function notPrivate(info: Stats): { readonly text: string; readonly chmodFixes: boolean } | null {
  const uid = currentUid()
  if (uid !== null && info.uid !== uid) return { text: `it belongs to uid ${info.uid}, not to you (uid ${uid})`, chmodFixes: false }
  if ((info.mode & 0o077) !== 0) return { text: `other users have access to it (mode ${modeText(info.mode)})`, chmodFixes: true }
  return null
}

/** Throws unless `path` is a folder (not a link to one) owned by this user with no access for others. */
async function checkOwnFolder(path: string): Promise<void> {
  const info = await lstat(path)
  if (info.isSymbolicLink()) {
    throw new UnsafeFolderError(path, `sockscope will not use ${path}: it is a symbolic link. Remove the link, or choose another data folder.`)
  }
  if (!info.isDirectory()) throw new UnsafeFolderError(path, `sockscope will not use ${path}: it is not a folder. Choose another data folder.`)
  const problem = notPrivate(info)
  if (problem === null) return
  const advice = problem.chmodFixes ? `Run "chmod 700 ${path}", or choose another data folder.` : 'Choose another data folder, or remove this one so sockscope makes its own.'
  throw new UnsafeFolderError(path, `sockscope will not use ${path}: ${problem.text}. ${advice}`)
}

/**
 * Throws when a folder above `path` lets someone other than this user or root replace `path`:
 * it belongs to another user, or others may write to it without the sticky bit.
 */
async function checkFoldersAbove(path: string, advice = 'Choose a data folder inside a folder only you control.'): Promise<void> {
  const uid = currentUid()
  if (uid === null) return
  let current = await realpath(dirname(path))
  for (;;) {
    const info = await stat(current)
    const ownerTrusted = info.uid === 0 || info.uid === uid
    const othersMayReplace = (info.mode & 0o022) !== 0 && (info.mode & STICKY_BIT) === 0
    if (!ownerTrusted || othersMayReplace) {
      const why = ownerTrusted ? `other users may write to ${current} (mode ${modeText(info.mode)})` : `${current} belongs to uid ${info.uid}`
      throw new UnsafeFolderError(path, `sockscope will not use ${path}: ${why}, so they could replace it. ${advice}`)
    }
    const parent = dirname(current)
    if (parent === current) return
    current = parent
  }
}

/**
 * Reads a secret the user keeps in a file of their own (the exporter's token) with the checks the
 * data folder gets: a regular file, not a link, owned by this user, closed to everyone else
 * (0600 or stricter), in folders no other user can swap it in. Anything else is refused with an
 * UnsafeFolderError that says what to do, and nothing is read.
 */
export async function readPrivateFile(path: string): Promise<string> {
  const absolute = resolve(path)
  await checkFoldersAbove(absolute, 'Keep the file in a folder only you control.')
  const text = await readFileWithoutFollowing(absolute, (info) => {
    if (!info.isFile()) throw new UnsafeFolderError(absolute, `sockscope will not read ${absolute}: it is not a regular file.`)
    const problem = notPrivate(info)
    if (problem !== null) {
      const advice = problem.chmodFixes ? `Run "chmod 600 ${absolute}".` : 'Use a file of your own.'
      throw new UnsafeFolderError(absolute, `sockscope will not read ${absolute}: ${problem.text}. ${advice}`)
    }
  })
  if (text === null) throw new UnsafeFolderError(absolute, `sockscope cannot read ${absolute}: there is no such file.`)
  return text
}

/** A folder for sockscope's own files. Every method checks the folder before it touches anything in it. */
export class PrivateFolder {
  /** Absolute. */
  readonly path: string

  constructor(
    path: string,
    private readonly parent: PrivateFolder | null = null
  ) {
    this.path = resolve(path)
  }

  /** Makes the folder (and any missing folder above it) with mode 0700 when needed, then checks it. */
  async prepare(): Promise<string> {
    if (this.parent) await this.parent.prepare()
    await mkdir(this.path, { recursive: true, mode: PRIVATE_FOLDER_MODE })
    await checkFoldersAbove(this.path)
    await checkOwnFolder(this.path)
    return this.path
  }

  /** Checks the folder without making it: false when it does not exist, an UnsafeFolderError when it is not private. */
  async check(): Promise<boolean> {
    if (this.parent && !(await this.parent.check())) return false
    const exists = await lstat(this.path).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return false
        throw error
      }
    )
    if (!exists) return false
    await checkFoldersAbove(this.path)
    await checkOwnFolder(this.path)
    return true
  }

  /** A folder inside this one, prepared along with it. */
  folder(name: string): PrivateFolder {
    return new PrivateFolder(this.pathOf(name), this)
  }

  /** The path of `name` in this folder; `name` must be a plain file name. */
  pathOf(name: string): string {
    return join(this.path, plainName(name))
  }

  /** Creates a new file (mode 0600) that must not exist yet. */
  async createFile(name: string, options: { readonly read?: boolean } = {}): Promise<FileHandle> {
    await this.prepare()
    return createNewFile(this.pathOf(name), options)
  }

  /** Replaces a file's contents in one step (see replaceFileAtomically). */
  async replaceFile(name: string, data: string | Uint8Array): Promise<void> {
    await this.prepare()
    await replaceFileAtomically(this.pathOf(name), data)
  }

  /**
   * Adds `text` to the end of a file (made 0600 when new). Once the file has grown past
   * `rotateAtBytes`, it is first renamed to `NAME.1` (replacing an older one), so a log stays bounded.
   */
  async appendFile(name: string, text: string, rotateAtBytes = Number.POSITIVE_INFINITY): Promise<void> {
    await this.prepare()
    const path = this.pathOf(name)
    let handle = await openForWriting(path, { append: true })
    try {
      if ((await handle.stat()).size >= rotateAtBytes) {
        await handle.close()
        await rename(path, this.pathOf(`${name}.1`))
        handle = await openForWriting(path, { append: true })
      }
      await handle.appendFile(text)
    } finally {
      await handle.close()
    }
  }

  /** A file's text; null when the folder or the file does not exist. */
  async readFile(name: string): Promise<string | null> {
    if (!(await this.check())) return null
    return readFileWithoutFollowing(this.pathOf(name))
  }

  /**
   * A temporary folder in this one, made on first use. Its name carries this process's id, so
   * {@link removeLeftovers} can tell a crashed run's folder from a running one's.
   */
  temporaryFolder(prefix: string): TemporaryFolder {
    return new TemporaryFolder(async () => {
      await this.prepare()
      return mkdtemp(join(this.path, `${prefix}-${process.pid}-`))
    })
  }

  /**
   * Deletes temporary folders (see {@link temporaryFolder}) whose process is gone, as a crash
   * leaves them. Folders of running processes, links and other users' folders stay. Returns
   * the paths deleted.
   */
  async removeLeftovers(prefix: string): Promise<string[]> {
    if (!(await this.check())) return []
    const pattern = new RegExp(`^${prefix.replace(/[^A-Za-z0-9]/g, '\\$&')}-(\\d+)-[A-Za-z0-9]{6}$`)
    const removed: string[] = []
    for (const name of await readdir(this.path)) {
      const match = pattern.exec(name)
      if (!match) continue
      const pid = Number(match[1])
      if (pid === process.pid || processIsRunning(pid)) continue
      const path = join(this.path, name)
      const info = await lstat(path).catch(() => null)
      const uid = currentUid()
      if (!info || !info.isDirectory() || (uid !== null && info.uid !== uid)) continue
      await rm(path, { recursive: true, force: true })
      removed.push(path)
    }
    return removed
  }
}

function processIsRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Temporary folders still on disk, deleted when the process exits. */
const liveTemporaryFolders = new Set<string>()
let exitCleanupInstalled = false

function removeOnExit(path: string): void {
  liveTemporaryFolders.add(path)
  if (exitCleanupInstalled) return
  exitCleanupInstalled = true
  // Only synchronous work runs at exit. serve and the CLI turn SIGINT and SIGTERM into a normal exit.
  process.once('exit', () => {
    for (const folder of liveTemporaryFolders) rmSync(folder, { recursive: true, force: true })
    liveTemporaryFolders.clear()
  })
}

/** A private temporary folder (0700), made on first use and deleted with everything in it on {@link remove} or at exit. */
export class TemporaryFolder {
  private made: Promise<string> | null = null
  private removed = false

  constructor(private readonly make: () => Promise<string>) {}

  /** Makes, in a fresh private temporary folder under `parent` (for example the OS temp folder), a folder named `prefix` plus six random characters. */
  static in(parent: string, prefix: string): TemporaryFolder {
    return new TemporaryFolder(() => mkdtemp(join(parent, prefix)))
  }

  /** The folder's path, making it first when needed. */
  path(): Promise<string> {
    if (this.removed) return Promise.reject(new Error('the temporary folder was already removed'))
    this.made ??= this.make().then(
      async (path) => {
        removeOnExit(path)
        // mkdtemp asks for 0700, but the umask may take bits away; the owner needs them all.
        await chmod(path, PRIVATE_FOLDER_MODE)
        return path
      },
      (error: unknown) => {
        this.made = null
        throw error
      }
    )
    return this.made
  }

  /** Creates a new file (mode 0600) in the folder. */
  async createFile(name: string, options: { readonly read?: boolean } = {}): Promise<FileHandle> {
    const folder = await this.path()
    return createNewFile(join(folder, plainName(name)), options)
  }

  /** Deletes the folder and everything in it, if it was made. */
  async remove(): Promise<void> {
    this.removed = true
    const made = this.made
    this.made = null
    if (!made) return
    const path = await made.catch(() => null)
    if (path === null) return
    await rm(path, { recursive: true, force: true })
    liveTemporaryFolders.delete(path)
  }
}

/** `name` when it names a file right inside a folder (no separators, not `.` or `..`). */
function plainName(name: string): string {
  if (name === '' || name === '.' || name === '..' || basename(name) !== name || name.includes('/')) {
    throw new Error(`"${name}" is not a plain file name`)
  }
  return name
}
