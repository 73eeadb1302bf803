/**
 * Which folder holds sockscope's own files (settings, recordings, temporary capture files).
 * One folder per user: a command-line choice wins over the environment, which wins over the
 * XDG state folder.
 */
import { homedir } from 'node:os'
import { isAbsolute, join, resolve } from 'node:path'

/** The environment variable that names the data folder. */
export const DATA_DIRECTORY_VARIABLE = 'SOCKSCOPE_DATA_DIR'

/** Where the chosen folder came from, so messages can say how to change it. */
export type DataDirectorySource = 'option' | 'environment' | 'default'

/** The data folder and why it is that one. */
export interface DataDirectoryChoice {
  /** An absolute path. */
  readonly path: string
  readonly source: DataDirectorySource
}

/** What the choice depends on; the process's own values by default. */
export interface DataDirectoryInputs {
  /** The `--data-dir` value, if one was given. */
  readonly option?: string
  readonly environment?: NodeJS.ProcessEnv
  readonly home?: string
  /** Relative paths are taken from here. */
  readonly workingDirectory?: string
}

/**
 * Picks the data folder: `--data-dir`, else `$SOCKSCOPE_DATA_DIR`, else
 * `$XDG_STATE_HOME/sockscope`, else `~/.local/state/sockscope`. Empty values count as unset, and
 * a relative XDG_STATE_HOME is ignored, as the XDG base directory rules ask.
 */
export function chooseDataDirectory(inputs: DataDirectoryInputs = {}): DataDirectoryChoice {
  const environment = inputs.environment ?? process.env
  const workingDirectory = inputs.workingDirectory ?? process.cwd()
  if (inputs.option !== undefined && inputs.option !== '') return { path: resolve(workingDirectory, inputs.option), source: 'option' }
  const fromEnvironment = environment[DATA_DIRECTORY_VARIABLE]
  if (fromEnvironment !== undefined && fromEnvironment !== '') return { path: resolve(workingDirectory, fromEnvironment), source: 'environment' }
  const stateHome = environment.XDG_STATE_HOME
  if (stateHome !== undefined && isAbsolute(stateHome)) return { path: join(resolve(stateHome), 'sockscope'), source: 'default' }
  return { path: join(inputs.home ?? homedir(), '.local', 'state', 'sockscope'), source: 'default' }
}
