/** The shape of a CLI command and the error that means "bad arguments" (exit code 2). */
import { parseArgs, type ParseArgsConfig } from 'node:util'

/** What a `sockscope <name>` command does, loaded only when it runs. */
export interface CliCommand {
  /** The full `--help` text. */
  readonly help: string
  /** Runs the command; resolves to the exit code. */
  run(argv: readonly string[], io: CliIo): Promise<number>
}

/** A command as the overview lists it: known without loading the command's module. */
export interface CliCommandEntry {
  readonly name: string
  /** One line for the command list. */
  readonly summary: string
  /** Imports the command's module. */
  load(): Promise<CliCommand>
}

/** Where a command writes; replaced in tests. */
export interface CliIo {
  readonly out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }
  readonly err: NodeJS.WritableStream
  /** Where a command reads a confirmation from; absent or not a terminal means nobody can answer. */
  readonly input?: NodeJS.ReadableStream & { isTTY?: boolean }
}

/** Bad command-line arguments: printed with a hint, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

/** Options a command accepts, in node:util parseArgs form. */
export type OptionSpec = NonNullable<ParseArgsConfig['options']>

/**
 * Parses a command's arguments strictly: unknown options and missing values become a
 * UsageError instead of being ignored.
 */
export function parseCommandArguments<O extends OptionSpec>(argv: readonly string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: [...argv], options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals })
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.replace(/^TypeError \[[A-Z_]+\]: /, '') : String(error))
  }
}

/** Parses an integer option, refusing junk and values outside [min, max]. */
export function parseIntegerOption(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined
  if (!/^-?\d+$/.test(value.trim())) throw new UsageError(`--${name} needs a whole number, got "${value}"`)
  const parsed = Number(value)
  if (parsed < min || parsed > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${parsed}`)
  return parsed
}

/** Parses a decimal number option (seconds, rates), refusing junk and values outside [min, max]. */
export function parseNumberOption(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined
  const parsed = Number(value)
  if (value.trim() === '' || !Number.isFinite(parsed)) throw new UsageError(`--${name} needs a number, got "${value}"`)
  if (parsed < min || parsed > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${parsed}`)
  return parsed
}
