/**
 * A loopback listener whose accept queue is full: its process is stopped and the queue holds as
 * many finished handshakes as it can, so the kernel drops every new SYN and a client's connect
 * waits for its SYN retransmission. Connect times then have a floor the test knows: a connect
 * started while the listener was held cannot finish before it was released.
 */
import { connect, type Socket } from 'node:net'
import { readFile } from 'node:fs/promises'
import { startProgram } from '../test-programs'
import { waitFor } from '../wait-for'

/** Finished handshakes a listen backlog of 1 queues before Linux drops SYNs (it drops above the backlog). */
const QUEUED_AT_BACKLOG_ONE = 2

/** A held listener; `release` lets its process accept again. */
export interface FullListener {
  readonly port: number
  release(): void
  close(): void
}

/** Starts test/fixtures/programs/backlog-listener.js, stops it and fills its accept queue. */
export async function startFullListener(): Promise<FullListener> {
  const program = await startProgram('backlog-listener.js')
  const port = Number(program.ready.port)
  program.child.kill('SIGSTOP')
  await waitFor(async () => (await processState(program.pid)) === 'T', 5_000, 'the listener to stop')
  const fillers: Socket[] = []
  for (let index = 0; index < QUEUED_AT_BACKLOG_ONE; index++) {
    const socket = connect({ host: '127.0.0.1', port })
    socket.on('error', () => {})
    fillers.push(socket)
    await new Promise((done) => socket.once('connect', done))
  }
  return {
    port,
    release: () => program.child.kill('SIGCONT'),
    close: () => {
      for (const socket of fillers) socket.destroy()
      program.child.kill('SIGKILL')
    }
  }
}

/** The one-letter state of a process from /proc/PID/stat (R, S, T, ...). */
async function processState(pid: number): Promise<string> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  const [state = ''] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return state
}
