/**
 * `sockscope serve` from the build with one WebSocket client that holds its token, as the page
 * would connect: integration tests call contract channels over the real web transport.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import WebSocket from 'ws'
import type { Envelope } from '../../shared/contract/envelope'
import { BUILT_CLI } from './built-cli'

/** A running `serve`, with one WebSocket client that holds its token. */
export interface ServedBackend {
  /** The serve process's pid. */
  readonly pid: number
  /** The shell serve runs under when started with {@link startServedBackendUnderShell}; null otherwise. */
  readonly shellPid: number | null
  call(channel: string, args: unknown): Promise<Envelope<unknown>>
  /** Events pushed to the client so far, oldest first. */
  events(): readonly { readonly event: string; readonly payload: unknown }[]
  stderr(): string
  close(): Promise<void>
}

/** Starts `serve --port 0 --no-resolve ...args` from the build and connects to its API. */
export function startServedBackend(...args: string[]): Promise<ServedBackend> {
  return startServed(false, args)
}

/**
 * The same, with a bash between this process and serve (bash waits for it instead of replacing
 * itself), as a user's terminal shell would be: a test can aim at serve's parent without aiming at itself.
 */
export function startServedBackendUnderShell(...args: string[]): Promise<ServedBackend> {
  return startServed(true, args)
}

async function startServed(underShell: boolean, args: readonly string[]): Promise<ServedBackend> {
  const command = [process.execPath, BUILT_CLI, 'serve', '--port', '0', '--no-resolve', ...args]
  const server = underShell
    ? spawn('bash', ['-c', '"$0" "$@"; exit $?', ...command], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  server.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const line = await new Promise<string>((done) => server.stdout.once('data', (chunk: Buffer) => done(chunk.toString())))
  const url = new URL(/http:\/\/\S+/.exec(line)?.[0] ?? 'http://invalid')
  const socket = new WebSocket(`ws://${url.host}/api?token=${url.searchParams.get('token')}`, { headers: { origin: url.origin } })
  await once(socket, 'open')
  const servePid = underShell ? Number(readFileSync(`/proc/${server.pid}/task/${server.pid}/children`, 'utf8').trim()) : server.pid!
  let nextId = 1
  const waiting = new Map<number, (result: Envelope<unknown>) => void>()
  const pushed: { event: string; payload: unknown }[] = []
  socket.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString()) as { id?: number; result?: Envelope<unknown>; event?: string; payload?: unknown }
    if (message.id !== undefined && message.result !== undefined) waiting.get(message.id)?.(message.result)
    else if (message.event !== undefined) pushed.push({ event: message.event, payload: message.payload })
  })
  return {
    pid: servePid,
    shellPid: underShell ? server.pid! : null,
    call(channel, callArgs) {
      const id = nextId++
      return new Promise((resolve) => {
        waiting.set(id, resolve)
        socket.send(JSON.stringify({ id, channel, args: callArgs }))
      })
    },
    events: () => [...pushed],
    stderr: () => stderr,
    async close() {
      socket.close()
      if (underShell) process.kill(servePid, 'SIGTERM')
      else if (server.exitCode === null && server.signalCode === null) server.kill('SIGTERM')
      if (server.exitCode === null && server.signalCode === null) await once(server, 'exit')
    }
  }
}
