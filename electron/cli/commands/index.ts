/** Every CLI command. A new command adds itself here. */
import type { CliCommand } from '../cli-command'
import { listCommand } from './list'
import { serveCommand } from './serve'
import { captureCommand } from './capture'
import { probeCommand } from './probe'
import { listenCommand } from './listen'
import { watchCommand } from './watch'
import { checkCommand } from './check'
import { diffCommand } from './diff'
import { readCommand } from './read'

/** The commands, in the order `sockscope --help` lists them. */
export const cliCommands: readonly CliCommand[] = [listCommand, serveCommand, captureCommand, probeCommand, listenCommand, watchCommand, checkCommand, diffCommand, readCommand]
