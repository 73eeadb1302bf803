/** Addresses a command listens on: `HOST:PORT` parsing, and the warning before a bind beyond loopback. */
import { isIP } from 'node:net'
import { isLoopbackHost } from '../backend'
import { UsageError, type CliIo } from './cli-command'

/**
 * Warns on stderr, before anything is bound, that `host` is not a loopback address, saying what
 * anyone who reaches it with the token gets (`exposes`). Says nothing for a loopback address.
 */
export function warnIfNotLoopback(io: CliIo, host: string, exposes: string): void {
  if (isLoopbackHost(host)) return
  io.err.write(`warning: binding to ${host}, which is not loopback. Anyone who can reach it and has the token ${exposes}.\n`)
}

/** Parses `HOST:PORT`, `[IPv6]:PORT` or `:PORT` (loopback); port 0 picks a free one. */
export function parseListenAddress(option: string, text: string): { readonly host: string; readonly port: number } {
  const [, bracketed, plain = '', portText] = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim()) ?? []
  const port = Number(portText)
  if (portText === undefined || port > 65535) throw new UsageError(`--${option} needs HOST:PORT (e.g. 127.0.0.1:9464, [::1]:9464), got "${text}"`)
  const host = bracketed ?? (plain === '' ? '127.0.0.1' : plain)
  if (bracketed !== undefined && isIP(host) !== 6) throw new UsageError(`--${option}: "${host}" in brackets is not an IPv6 address`)
  return { host, port }
}
