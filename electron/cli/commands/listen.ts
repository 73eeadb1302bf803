/** `sockscope listen tcp|udp [ADDR:]PORT`: a local test listener until Ctrl-C. */
import type { ListenerMode, ListenerPeer, PayloadSpec, TestListenerInfo } from '../../../shared/model/probe'
import { formatHostPort } from '../../../shared/format/socket-text'
import { parseListenAddress } from '../../../shared/probe-target'
import { formatProbeError } from '../../../shared/format/probe-text'
import { TestListener } from '../../backend'
import { parseCommandArguments, parseNumberOption, UsageError, type CliCommand, type CliIo } from '../cli-command'

/** Runs a test listener in the foreground. */
export const listenCommand: CliCommand = {
  help: `Usage: sockscope listen tcp|udp [ADDRESS:]PORT [--echo | --discard | --reply TEXT | --reply-hex HEX] [options]

Listens on ADDRESS (default 127.0.0.1) and PORT (0 picks a free one) until Ctrl-C, and prints
each peer with the bytes it sent and received. IPv6 addresses go in brackets: [::1]:9000.

  --echo            send back what arrives (the default)
  --discard         read and drop what arrives
  --reply TEXT      answer every message with TEXT (\\r \\n \\t \\0 \\\\ \\xHH escapes)
  --reply-hex HEX   answer every message with these bytes
  --duration S      stop after S seconds
  --json            print the listener as JSON when it starts and when it stops
`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArguments(
      argv,
      {
        echo: { type: 'boolean' },
        discard: { type: 'boolean' },
        reply: { type: 'string' },
        'reply-hex': { type: 'string' },
        duration: { type: 'string' },
        json: { type: 'boolean' }
      },
      true
    )
    if (values.help) {
      io.out.write(this.help)
      return 0
    }
    const [protocol, addressText, ...extra] = positionals
    if (protocol !== 'tcp' && protocol !== 'udp') throw new UsageError('give the protocol first: listen tcp|udp [ADDRESS:]PORT')
    if (addressText === undefined) throw new UsageError('give the port to listen on, e.g. 8080 or 127.0.0.1:8080')
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`)
    const where = parseListenAddress(addressText)
    if (!where.ok) throw new UsageError(where.error)
    const modes = [values.echo, values.discard, values.reply !== undefined, values['reply-hex'] !== undefined].filter(Boolean)
    if (modes.length > 1) throw new UsageError('choose one of --echo, --discard, --reply and --reply-hex')
    const durationSeconds = parseNumberOption('duration', values.duration, 0.1, 365 * 24 * 3600)
    let mode: ListenerMode = 'echo'
    let reply: PayloadSpec | null = null
    if (values.discard) mode = 'discard'
    if (values.reply !== undefined) {
      mode = 'reply'
      reply = { encoding: 'text', value: values.reply, escapes: true }
    }
    if (values['reply-hex'] !== undefined) {
      mode = 'reply'
      reply = { encoding: 'hex', value: values['reply-hex'] }
    }
    const json = values.json === true
    const printer = new PeerPrinter(io, json)
    const started = await TestListener.start({ protocol, address: where.value.address, port: where.value.port, mode, reply }, (info) => printer.update(info))
    if (!started.ok) {
      if (started.error.kind === 'invalid-input') throw new UsageError(started.error.message)
      io.err.write(`sockscope listen: ${formatProbeError(started.error)}\n`)
      return 1
    }
    const listener = started.listener
    const info = listener.info()
    if (json) io.out.write(JSON.stringify(info) + '\n')
    else {
      io.out.write(`Listening on ${protocol} ${formatHostPort(info.address, info.port)} (${mode}) as pid ${info.pid}; Ctrl-C to stop\n`)
    }
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop)
        process.off('SIGTERM', stop)
        clearTimeout(timer)
        resolve()
      }
      const timer = durationSeconds === undefined ? undefined : setTimeout(stop, durationSeconds * 1000)
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
    })
    const final = await listener.stop()
    if (json) io.out.write(JSON.stringify(final) + '\n')
    else io.out.write(`Stopped: ${final.totalPeers} peers, ${final.bytesIn} bytes in, ${final.bytesOut} bytes out\n`)
    return 0
  }
}

/** Prints peers as they come and go, from the listener's batched updates. */
class PeerPrinter {
  private readonly seen = new Map<string, boolean>()

  constructor(
    private readonly io: CliIo,
    private readonly quiet: boolean
  ) {}

  update(info: TestListenerInfo): void {
    if (this.quiet || info.stoppedAt !== null) return
    for (const peer of info.peers) {
      const known = this.seen.get(peer.id)
      if (known === undefined) this.io.out.write(`peer ${this.endpoint(peer)} ${info.protocol === 'tcp' ? 'connected' : 'sent a datagram'}\n`)
      if (info.protocol === 'tcp' && !peer.connected && known !== false) {
        this.io.out.write(`peer ${this.endpoint(peer)} closed (${peer.bytesIn} bytes in, ${peer.bytesOut} bytes out)\n`)
      }
      this.seen.set(peer.id, peer.connected)
    }
  }

  private endpoint(peer: ListenerPeer): string {
    return formatHostPort(peer.remoteAddress, peer.remotePort)
  }
}
