/**
 * Every CLI command: its name and summary for `sockscope --help`, and how to load it. A new
 * command adds itself here.
 *
 * Each command module is imported only when that command runs: the build puts each in a chunk
 * of its own, so `sockscope --help` loads none of them and `sockscope list` loads neither the
 * capture helper, the probes nor the web server (test/integration/cli/lazy-commands.test.ts).
 */
import type { CliCommandEntry } from '../cli-command'

/** The commands, in the order `sockscope --help` lists them. */
export const cliCommands: readonly CliCommandEntry[] = [
  { name: 'list', summary: 'print every socket with its owning process', load: async () => (await import('./list')).listCommand },
  { name: 'serve', summary: 'serve the UI to a browser on this machine (web mode)', load: async () => (await import('./serve')).serveCommand },
  {
    name: 'exporter',
    summary: 'serve socket, process and leak metrics to Prometheus, without the UI',
    load: async () => (await import('./exporter')).exporterCommand
  },
  {
    name: 'capture',
    summary: 'capture packets to a pcapng or pcap file, each commented with its process',
    load: async () => (await import('./capture')).captureCommand
  },
  {
    name: 'probe',
    summary: 'test a TCP, TLS or UDP endpoint: reachability, timings, certificates',
    load: async () => (await import('./probe')).probeCommand
  },
  {
    name: 'listen',
    summary: 'run a local TCP or UDP test listener (echo, discard or a fixed reply)',
    load: async () => (await import('./listen')).listenCommand
  },
  { name: 'watch', summary: 'follow socket counts and report leaks as they appear', load: async () => (await import('./watch')).watchCommand },
  { name: 'check', summary: 'watch for a while; exit 1 if sockets leak or pass given bounds', load: async () => (await import('./check')).checkCommand },
  {
    name: 'run',
    summary: 'run a command, follow its process tree and report the sockets it leaked',
    load: async () => (await import('./run')).runCommandCli
  },
  {
    name: 'mark',
    summary: 'start a named phase in the sockscope run this runs under',
    load: async () => (await import('./mark')).markCommand
  },
  {
    name: 'diff',
    summary: 'compare two moments of a recording: sockets opened, closed and changed',
    load: async () => (await import('./diff')).diffCommand
  },
  { name: 'read', summary: 'decode a pcap or pcapng file, or summarize it', load: async () => (await import('./read')).readCommand },
  {
    name: 'events',
    summary: 'print every TCP connection as it closes, even one shorter than a poll',
    load: async () => (await import('./events')).eventsCommand
  },
  {
    name: 'audit',
    summary: 'list what this machine exposes: listeners, their reach, services and TLS',
    load: async () => (await import('./audit')).auditCommand
  },
  {
    name: 'port',
    summary: 'who holds a local port and what EADDRINUSE on it means; --wait until it is free',
    load: async () => (await import('./port')).portCommand
  },
  {
    name: 'close',
    summary: 'close the TCP connections a filter matches (the peer sees a reset)',
    load: async () => (await import('./close')).closeCommand
  }
]
