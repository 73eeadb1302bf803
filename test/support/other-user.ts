/**
 * Running code as `nobody` from a checkout that `nobody` may not read (a clone inside a 0700
 * folder, or under /root): whatever the child needs is bundled or copied into a world-readable
 * temporary folder first, so the test never depends on the checkout's permissions.
 */
import { spawnSync } from 'node:child_process'
import { chmod, cp, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { build } from 'vite'
import { BUILT_CLI } from './built-cli'

/** Words that run the command after them as nobody:nogroup with no supplementary groups. */
export const AS_NOBODY = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', '--'] as const

/** Whether this process may run code as nobody: root, a `nobody` user and `setpriv`. */
export const canRunAsNobody: boolean =
  process.getuid?.() === 0 && spawnSync('id', ['-u', 'nobody']).status === 0 && spawnSync('setpriv', ['--version'], { stdio: 'ignore' }).status === 0

const PROJECT_ROOT = resolve(__dirname, '../..')

/** A temporary folder every user may read and enter, removed by `remove`. */
export interface SharedFolder {
  readonly path: string
  remove(): Promise<void>
}

/** Makes a temporary folder that other users can read (mkdtemp makes it 0700). */
export async function makeSharedFolder(prefix: string): Promise<SharedFolder> {
  const path = await mkdtemp(join(tmpdir(), `${prefix}-`))
  await chmod(path, 0o755)
  return { path, remove: () => rm(path, { recursive: true, force: true }) }
}

/**
 * Bundles a TypeScript entry and everything it imports from the checkout into one CommonJS file
 * in `folder`; packages named in `external` are copied beside it, with their dependencies.
 */
export async function bundleForOtherUsers(entry: string, folder: string, external: readonly string[] = []): Promise<string> {
  const name = 'bundle.cjs'
  await build({
    configFile: false,
    logLevel: 'silent',
    root: PROJECT_ROOT,
    // Node's own modules stay imports; every package but the named ones is inlined.
    ssr: { noExternal: true, external: [...external] },
    build: {
      ssr: entry,
      outDir: folder,
      emptyOutDir: false,
      minify: false,
      rollupOptions: { output: { format: 'cjs', entryFileNames: name } }
    }
  })
  for (const packageName of external) await copyPackage(packageName, folder)
  await openToOthers(folder)
  return join(folder, name)
}

/** The built CLI and capture helper, copied with the packages they load at run time. */
export interface SharedBuild {
  readonly cli: string
  readonly captureHelper: string
}

/**
 * Copies the built main-process folder (out/main), the package manifest that marks the package
 * root, and the packages the build requires into `folder`.
 */
export async function copyBuildForOtherUsers(folder: string): Promise<SharedBuild> {
  const builtMain = dirname(BUILT_CLI)
  const copiedMain = join(folder, 'out', 'main')
  await cp(builtMain, copiedMain, { recursive: true })
  await cp(join(PROJECT_ROOT, 'package.json'), join(folder, 'package.json'))
  for (const name of await requiredPackages(builtMain)) await copyPackage(name, folder)
  await openToOthers(folder)
  return { cli: join(copiedMain, 'cli.js'), captureHelper: join(copiedMain, 'capture-helper.js') }
}

/** Bare package names the built files require, without Node's own modules and electron. */
async function requiredPackages(directory: string): Promise<string[]> {
  const names = new Set<string>()
  for (const entry of await readdir(directory, { recursive: true })) {
    if (!entry.endsWith('.js')) continue
    const source = await readFile(join(directory, entry), 'utf8')
    // Plain require("x"), and createRequire(__filename)("x") for packages loaded on first use (koffi).
    for (const [, specifier] of source.matchAll(/(?:require|createRequire\)\(__filename\))\("([^".][^"]*)"\)/g)) {
      if (specifier === undefined || specifier.startsWith('node:') || specifier === 'electron') continue
      names.add(
        specifier
          .split('/')
          .slice(0, specifier.startsWith('@') ? 2 : 1)
          .join('/')
      )
    }
  }
  return [...names]
}

/**
 * Copies node_modules/NAME and, recursively, its declared dependencies into folder/node_modules,
 * with the optional ones that are installed (koffi's native binary comes as one per platform).
 */
async function copyPackage(name: string, folder: string): Promise<void> {
  const target = join(folder, 'node_modules', name)
  if (await exists(target)) return
  const source = join(PROJECT_ROOT, 'node_modules', name)
  await cp(source, target, { recursive: true, dereference: true })
  const manifest = JSON.parse(await readFile(join(source, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>
    optionalDependencies?: Record<string, string>
  }
  for (const dependency of Object.keys(manifest.dependencies ?? {})) await copyPackage(dependency, folder)
  for (const dependency of Object.keys(manifest.optionalDependencies ?? {})) {
    if (await exists(join(PROJECT_ROOT, 'node_modules', dependency))) await copyPackage(dependency, folder)
  }
}

/** Lets every user read the files and enter the folders, whatever umask the checkout had. */
async function openToOthers(path: string): Promise<void> {
  const info = await stat(path)
  await chmod(path, info.isDirectory() ? 0o755 : info.mode & 0o111 ? 0o755 : 0o644)
  if (!info.isDirectory()) return
  for (const entry of await readdir(path)) await openToOthers(join(path, entry))
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}
