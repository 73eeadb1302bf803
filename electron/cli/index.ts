/** The `sockscope` command-line entry. */
import { UsageError, type CliIo } from './cli-command'
import { cliCommands } from './commands'
import { errorMessage } from '../../shared/error-message'
import { largestOf } from '../../shared/number-extremes'

/** Runs the CLI with `argv` (without node and script) and resolves to the exit code. */
async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out.write(overview())
    return name === undefined ? 2 : 0
  }
  if (name === '--version' || name === '-V') {
    io.out.write(`sockscope ${__SOCKSCOPE_VERSION__}\n`)
    return 0
  }
  const entry = cliCommands.find((candidate) => candidate.name === name)
  if (!entry) {
    io.err.write(`sockscope: unknown command "${name}"\n\n${overview()}`)
    return 2
  }
  try {
    const command = await entry.load()
    return await command.run(rest, io)
  } catch (error) {
    if (error instanceof UsageError) {
      io.err.write(`sockscope ${entry.name}: ${error.message}\nRun "sockscope ${entry.name} --help" for usage.\n`)
      return 2
    }
    io.err.write(`sockscope ${entry.name}: ${errorMessage(error)}\n`)
    return 1
  }
}

function overview(): string {
  const width = largestOf(
    cliCommands.map((command) => command.name.length),
    0
  )
  const lines = cliCommands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`)
  return `Usage: sockscope <command> [options]\n       sockscope --version\n\nCommands:\n${lines.join('\n')}\n\nRun "sockscope <command> --help" for a command's options.\n`
}

if (require.main === module) {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    // A closed pipe (sockscope list | head) is a normal way to stop reading.
    if (error.code === 'EPIPE') process.exit(0)
  })
  runCli(process.argv.slice(2), { out: process.stdout, err: process.stderr, input: process.stdin }).then(
    (code) => {
      // A finished command exits even if a lookup or timer is still pending; flush output first.
      process.exitCode = code
      process.stdout.write('', () => process.exit(code))
    },
    (error: unknown) => {
      process.stderr.write(`sockscope: ${error instanceof Error ? error.stack : String(error)}\n`)
      process.exit(1)
    }
  )
}
