/** Every CLI command. A new command adds itself here. */
import type { CliCommand } from '../cli-command'
import { listCommand } from './list'
import { serveCommand } from './serve'

/** The commands, in the order `sockscope --help` lists them. */
export const cliCommands: readonly CliCommand[] = [listCommand, serveCommand]
