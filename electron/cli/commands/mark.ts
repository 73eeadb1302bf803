/** `sockscope mark`: start a named phase in the `sockscope run` this process runs under. */
import { MARK_SOCKET_VARIABLE, sendMark } from '../../backend'
import { parseCommandArguments, parseNumberOption, UsageError, type CliCommand } from '../cli-command'

/** Sends a mark; never fails the caller's test run over a mark that could not be taken. */
export const markCommand: CliCommand = {
  help: `Usage: sockscope mark [--timeout S] LABEL

Starts a phase named LABEL in the "sockscope run" this command runs under: the run takes a
sample at once, ends the phase before it there, and reports which sockets each phase opened
and left open at its end. Returns once the sample is taken.

It finds the run through ${MARK_SOCKET_VARIABLE}. Outside a run, or when the run does not answer
within the timeout, it prints a one-line warning and still exits 0, so a test suite that marks
its phases runs the same without sockscope. Only a missing label exits 2.

  --timeout S    how long to wait for the run (default 10)
`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArguments(argv, { timeout: { type: 'string' } }, true)
    if (values.help) {
      io.out.write(this.help)
      return 0
    }
    if (positionals.length === 0) throw new UsageError('give a label: sockscope mark LABEL')
    const label = positionals.join(' ')
    const timeoutSeconds = parseNumberOption('timeout', values.timeout, 0.1, 600) ?? 10
    const path = process.env[MARK_SOCKET_VARIABLE]
    if (!path) {
      io.err.write(`sockscope mark: not under "sockscope run" (${MARK_SOCKET_VARIABLE} is not set); mark '${label}' ignored\n`)
      return 0
    }
    const result = await sendMark(path, label, timeoutSeconds * 1000)
    if (!result.ok) io.err.write(`sockscope mark: mark '${label}' not taken: ${result.reason}\n`)
    return 0
  }
}
