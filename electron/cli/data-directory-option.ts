/** The `--data-dir` option of commands that keep files in the data folder. */
import { chooseDataDirectory, DATA_DIRECTORY_VARIABLE, type DataDirectorySource, PrivateFolder, UnsafeFolderError } from '../backend'
import { UsageError } from './cli-command'

/** The option's help lines, shared by every command that takes it. */
export const DATA_DIRECTORY_HELP = `  --data-dir DIR   where settings, recordings and temporary capture files go (default:
                   $${DATA_DIRECTORY_VARIABLE}, else $XDG_STATE_HOME/sockscope, else
                   ~/.local/state/sockscope). Made 0700; refused when it is a link, belongs
                   to another user or is open to others.
`

const HOW_CHOSEN: Readonly<Record<DataDirectorySource, string>> = {
  option: 'given with --data-dir',
  environment: `named by $${DATA_DIRECTORY_VARIABLE}`,
  default: `the default; --data-dir or $${DATA_DIRECTORY_VARIABLE} choose another`
}

/**
 * Chooses the data folder from `--data-dir`, the environment or the default, makes it when
 * missing and checks it is private. Resolves to its absolute path; an unsafe folder rejects
 * with a message that says how the folder was chosen.
 */
export async function prepareDataDirectory(option: string | undefined): Promise<string> {
  if (option !== undefined && option.trim() === '') throw new UsageError('--data-dir needs a folder')
  const choice = chooseDataDirectory({ option })
  try {
    return await new PrivateFolder(choice.path).prepare()
  } catch (error) {
    if (error instanceof UnsafeFolderError) throw new Error(`${error.message} (data folder ${HOW_CHOSEN[choice.source]})`, { cause: error })
    throw error
  }
}
