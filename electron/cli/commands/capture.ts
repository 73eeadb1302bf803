/** `sockscope capture`: a live capture to a pcap or pcapng file, with the owning process per packet. */
import { extname } from 'node:path'
import type { CaptureLimits } from '../../../shared/model/capture'
import { CaptureError, listCaptureInterfaces, captureToFile, type CaptureToFileResult, SocketMonitor, createSocketProvider } from '../../backend'
import { parseCommandArguments, parseIntegerOption, parseNumberOption, UsageError, type CliCommand, type CliIo } from '../cli-command'

/** Parses `-a` conditions (tshark style): duration:SECONDS, packets:N, filesize:KB. */
export function parseAutostop(conditions: readonly string[], count: number | undefined): CaptureLimits {
  let maxPackets: number | null = count ?? null
  let maxBytes: number | null = null
  let maxDurationMs: number | null = null
  for (const condition of conditions) {
    const [name, value, ...rest] = condition.split(':')
    if (value === undefined || rest.length > 0) throw new UsageError(`-a needs NAME:VALUE (duration:S, packets:N or filesize:KB), got "${condition}"`)
    switch (name) {
      case 'duration':
        maxDurationMs = Math.round((parseNumberOption('a duration', value, 0.001, 7 * 24 * 3600) as number) * 1000)
        break
      case 'packets':
        maxPackets = parseIntegerOption('a packets', value, 1, 1_000_000_000) as number
        break
      case 'filesize':
        maxBytes = (parseIntegerOption('a filesize', value, 1, 1_000_000_000) as number) * 1000
        break
      default:
        throw new UsageError(`unknown -a condition "${name}" (use duration, packets or filesize)`)
    }
  }
  return { maxPackets, maxBytes, maxDurationMs }
}

/** The file format an output name asks for. */
export function formatForPath(path: string): 'pcap' | 'pcapng' {
  const extension = extname(path).toLowerCase()
  if (extension === '.pcapng') return 'pcapng'
  if (extension === '.pcap') return 'pcap'
  throw new UsageError(`-w needs a file ending in .pcapng or .pcap, got "${path}"`)
}

async function listInterfaces(io: CliIo): Promise<number> {
  const interfaces = await listCaptureInterfaces()
  interfaces.forEach((device, index) => {
    const addresses = device.addresses.map((address) => address.address).join(', ')
    const link = device.linkTypeName ?? (device.openError ? `cannot open: ${device.openError}` : 'link type unknown')
    const description = device.description ? ` (${device.description})` : ''
    io.out.write(`${index + 1}. ${device.name}${description} [${link}]${addresses ? ` ${addresses}` : ''}\n`)
  })
  return 0
}

function printSummary(result: CaptureToFileResult, io: CliIo): void {
  const { stats } = result
  io.err.write(`${result.packets} packets captured (${result.bytes} bytes) to ${result.path}\n`)
  io.err.write(`${stats.received} packets received by the capture helper, ${stats.droppedByHelper} dropped by the helper (reader too slow)\n`)
  const kernel = stats.droppedByKernel === null ? 'not reported by the capture library' : String(stats.droppedByKernel)
  io.err.write(`packets dropped by the kernel: ${kernel}\n`)
  if (result.format === 'pcapng') io.err.write(`${result.attributedPackets} packets commented with their process\n`)
  if (result.reason === 'error') io.err.write(`capture stopped by an error: ${result.message}\n`)
}

/** Captures packets to a file. */
export const captureCommand: CliCommand = {
  help: `Usage: sockscope capture -i IFACE -w FILE [-f FILTER] [-c COUNT] [-a duration:S] [--json-summary]
       sockscope capture -D

Captures packets on an interface into FILE (.pcapng or .pcap) until a limit is reached or
Ctrl-C. In pcapng each packet whose socket is in the socket table is commented with its
process ("node (pid 1234)"), which Wireshark shows as the packet comment.

  -i, --interface IFACE    interface to capture on (see -D); "any" captures on all of them
  -w, --write FILE         output file; the extension picks the format
  -f, --filter FILTER      capture filter in pcap-filter syntax, e.g. "tcp port 8080"
  -c, --count N            stop after N packets
  -a, --autostop COND      stop at duration:SECONDS, packets:N or filesize:KB (repeatable)
  -s, --snaplen N          bytes kept per packet (default: whole packets, up to 65535)
  -D, --list-interfaces    list interfaces with their link types and addresses
  --no-processes           do not look up the process of each packet
  --json-summary           print the counts as JSON on stdout instead of text on stderr

Capturing needs privileges: run as root, or give the Node.js binary the capabilities
(sudo setcap cap_net_raw,cap_net_admin=eip "$(readlink -f "$(command -v node)")").
Exit status: 0 when the file was written, 1 on a bad filter, a missing permission or
interface, or an error during the capture, 2 on bad arguments.
`,
  async run(argv, io) {
    const { values } = parseCommandArguments(argv, {
      interface: { type: 'string', short: 'i' },
      write: { type: 'string', short: 'w' },
      filter: { type: 'string', short: 'f' },
      count: { type: 'string', short: 'c' },
      autostop: { type: 'string', short: 'a', multiple: true },
      snaplen: { type: 'string', short: 's' },
      'list-interfaces': { type: 'boolean', short: 'D' },
      'no-processes': { type: 'boolean' },
      'json-summary': { type: 'boolean' }
    })
    if (values.help) {
      io.out.write(this.help)
      return 0
    }
    try {
      if (values['list-interfaces']) return await listInterfaces(io)
      if (!values.interface) throw new UsageError('-i IFACE is required (sockscope capture -D lists interfaces)')
      if (!values.write) throw new UsageError('-w FILE is required')
      const format = formatForPath(values.write)
      const limits = parseAutostop(values.autostop ?? [], parseIntegerOption('count', values.count, 1, 1_000_000_000))
      const snaplen = parseIntegerOption('snaplen', values.snaplen, 0, 262_144) ?? 0
      const json = values['json-summary'] === true

      const monitor = values['no-processes'] ? null : new SocketMonitor(createSocketProvider(), { intervalMs: 1000 })
      if (monitor) {
        await monitor.ready().catch(() => undefined)
        monitor.start()
      }
      const signals = ['SIGINT', 'SIGTERM'] as const
      let stopCapture: (() => void) | null = null
      const onSignal = (): void => stopCapture?.()
      for (const signal of signals) process.on(signal, onSignal)
      let result: CaptureToFileResult
      try {
        result = await captureToFile({
          interface: values.interface,
          filter: values.filter ?? '',
          path: values.write,
          format,
          snaplen,
          limits,
          sockets: monitor,
          onStarted: (started, stop) => {
            stopCapture = stop
            // On stderr even with --json-summary: scripts wait for it before sending traffic.
            io.err.write(`Capturing on ${started.interface} (${started.linkTypeName}), writing to ${values.write}\n`)
          }
        })
      } finally {
        for (const signal of signals) process.off(signal, onSignal)
        monitor?.stop()
      }
      if (json) io.out.write(JSON.stringify(result, null, 2) + '\n')
      else printSummary(result, io)
      return result.reason === 'error' ? 1 : 0
    } catch (error) {
      if (error instanceof CaptureError) {
        io.err.write(`sockscope capture: ${error.describe()}\n`)
        return 1
      }
      throw error
    }
  }
}
