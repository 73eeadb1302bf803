/**
 * Which source modules and packages a run of the built CLI loaded, read back from the chunk files
 * it required: the build marks where each source module starts with a `// path.ts` comment.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { BUILT_CLI, type CliRun } from './built-cli'
import { elementAt } from '../../shared/element-at'

const REPORTER = resolve(__dirname, 'report-loaded-files.cjs')
const BUILD_FOLDER = resolve(__dirname, '../../out/main')
const SOURCE_MARK = /^\/\/ ((?:electron|shared)\/\S+\.ts)$/gm

/** What one CLI run loaded. */
export interface LoadedModules {
  readonly run: CliRun
  /** Project source files, as paths from the repository root (`electron/cli/index.ts`). */
  readonly sources: ReadonlySet<string>
  /** npm packages loaded from node_modules, by name. */
  readonly packages: ReadonlySet<string>
  /** Files of the build that were required, relative to out/main. */
  readonly buildFiles: readonly string[]
}

/** Runs `node out/main/cli.js ...args` and reports every module it loaded. */
export async function cliLoadedModules(...args: readonly string[]): Promise<LoadedModules> {
  const folder = await mkdtemp(join(tmpdir(), 'sockscope-loaded-'))
  try {
    const reportPath = join(folder, 'loaded.txt')
    const run = await new Promise<CliRun>((done) => {
      execFile(
        process.execPath,
        ['--require', REPORTER, BUILT_CLI, ...args],
        { env: { ...process.env, SOCKSCOPE_LOADED_FILES_REPORT: reportPath }, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) => done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr })
      )
    })
    const files = (await readFile(reportPath, 'utf8')).split('\n').filter((line) => line !== '')
    const sources = new Set<string>()
    const packages = new Set<string>()
    const buildFiles: string[] = []
    for (const file of files) {
      const packageName = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file)?.[1]
      if (packageName !== undefined) packages.add(packageName)
      else if (file.startsWith(BUILD_FOLDER + '/')) {
        buildFiles.push(file.slice(BUILD_FOLDER.length + 1))
        for (const mark of (await readFile(file, 'utf8')).matchAll(SOURCE_MARK)) sources.add(elementAt(mark, 1))
      }
    }
    return { run, sources, packages, buildFiles }
  } finally {
    await rm(folder, { recursive: true, force: true })
  }
}
