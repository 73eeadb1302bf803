/**
 * Where the built pieces live. Code in shared chunks cannot trust its own `__dirname`, so paths
 * are found from the package root, which holds `out/`.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

let packageRoot: string | null = null

/** The folder holding sockscope's package.json. */
export function packageRootDirectory(): string {
  if (packageRoot) return packageRoot
  let directory = __dirname
  for (;;) {
    const manifest = join(directory, 'package.json')
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'sockscope') {
          packageRoot = directory
          return directory
        }
      } catch {
        // An unreadable manifest is not ours; keep climbing.
      }
    }
    const parent = dirname(directory)
    if (parent === directory) throw new Error('cannot find the sockscope package folder')
    directory = parent
  }
}

/** The built renderer served by web mode and loaded by the desktop window. */
export function rendererDirectory(): string {
  return process.env.SOCKSCOPE_RENDERER_DIR ?? join(packageRootDirectory(), 'out', 'renderer')
}

/** The built main-process folder (CLI, capture helper, desktop main). */
export function mainBuildDirectory(): string {
  return join(packageRootDirectory(), 'out', 'main')
}
