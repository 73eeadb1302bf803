/**
 * Which well-known service a listener is, by its port or by the process holding it, and whether
 * that service should rarely face a network: remote shells and desktops, databases and caches,
 * debuggers and container engines. A debugger port in particular lets whoever connects run code.
 */

/** A service a listener was recognised as. */
export interface WellKnownService {
  readonly name: string
  /** True for services that should rarely be reachable beyond loopback. */
  readonly sensitive: boolean
  /** Why it matters when it is reachable, for the warning; null for ordinary services. */
  readonly risk: string | null
}

const REMOTE_LOGIN = 'a remote login: anyone who can reach it can try passwords and keys'
const DATABASE = 'a database: its data and its authentication face every network it is reachable from'
const DEBUGGER = 'a debugger: whoever connects can run any code as the process user'
const CONTAINER_API = 'the container engine: whoever connects can start containers as root'

function sensitive(name: string, risk: string): WellKnownService {
  return { name, sensitive: true, risk }
}

function ordinary(name: string): WellKnownService {
  return { name, sensitive: false, risk: null }
}

/** Well-known TCP ports. */
const TCP_PORTS: ReadonlyMap<number, WellKnownService> = new Map([
  [22, sensitive('SSH', REMOTE_LOGIN)],
  [23, sensitive('Telnet', `${REMOTE_LOGIN}, and in cleartext`)],
  [3389, sensitive('RDP', 'a remote desktop: anyone who can reach it can try to log in')],
  [5900, sensitive('VNC', 'a remote desktop: anyone who can reach it can try to log in')],
  [5432, sensitive('PostgreSQL', DATABASE)],
  [3306, sensitive('MySQL', DATABASE)],
  [1433, sensitive('SQL Server', DATABASE)],
  [1521, sensitive('Oracle', DATABASE)],
  [6379, sensitive('Redis', `${DATABASE}; Redis often runs without a password`)],
  [27017, sensitive('MongoDB', DATABASE)],
  [9200, sensitive('Elasticsearch', `${DATABASE}; its HTTP API needs no password unless security is turned on`)],
  [9300, sensitive('Elasticsearch transport', DATABASE)],
  [5984, sensitive('CouchDB', DATABASE)],
  [9042, sensitive('Cassandra', DATABASE)],
  [11211, sensitive('memcached', 'a cache without authentication')],
  [2379, sensitive('etcd', DATABASE)],
  [2375, sensitive('Docker API (no TLS)', CONTAINER_API)],
  [2376, sensitive('Docker API', CONTAINER_API)],
  [9229, sensitive('Node.js inspector', DEBUGGER)],
  [5005, sensitive('Java debugger (JDWP)', DEBUGGER)],
  [25, ordinary('SMTP')],
  [53, ordinary('DNS')],
  [80, ordinary('HTTP')],
  [443, ordinary('HTTPS')],
  [631, ordinary('IPP (printing)')],
  [8080, ordinary('HTTP (alternate)')],
  [8443, ordinary('HTTPS (alternate)')]
])

/** Well-known UDP ports. */
const UDP_PORTS: ReadonlyMap<number, WellKnownService> = new Map([
  [53, ordinary('DNS')],
  [67, ordinary('DHCP')],
  [68, ordinary('DHCP client')],
  [123, ordinary('NTP')],
  [161, sensitive('SNMP', 'device management, often with a guessable community string')],
  [5353, ordinary('mDNS')],
  [11211, sensitive('memcached', 'a cache without authentication, and a known amplifier for attacks')]
])

/** Processes that are a service whatever port they use. */
const PROCESSES: ReadonlyMap<string, WellKnownService> = new Map([
  ['sshd', sensitive('SSH', REMOTE_LOGIN)],
  ['xrdp', sensitive('RDP', 'a remote desktop: anyone who can reach it can try to log in')],
  ['postgres', sensitive('PostgreSQL', DATABASE)],
  ['mysqld', sensitive('MySQL', DATABASE)],
  ['mariadbd', sensitive('MariaDB', DATABASE)],
  ['redis-server', sensitive('Redis', `${DATABASE}; Redis often runs without a password`)],
  ['mongod', sensitive('MongoDB', DATABASE)],
  ['memcached', sensitive('memcached', 'a cache without authentication')],
  ['etcd', sensitive('etcd', DATABASE)]
])

/** The port a `--inspect`-style option names: `--inspect`, `--inspect=9230`, `--inspect-brk=0.0.0.0:9229`. */
function nodeInspectorPort(command: string): number | null {
  const match = /(?:^|\s)--inspect(?:-brk|-wait)?(?:=(\S+))?(?=\s|$)/.exec(command)
  if (match === null) return null
  const value = match[1]
  if (value === undefined) return 9229
  const port = Number(value.slice(value.lastIndexOf(':') + 1))
  return Number.isInteger(port) && port > 0 ? port : 9229
}

/** The port of a JDWP agent in server mode: `-agentlib:jdwp=transport=dt_socket,server=y,address=*:5005`. */
function jdwpPort(command: string): number | null {
  const match = /(?:-agentlib:jdwp|-Xrunjdwp:?)=?(\S*)/.exec(command)
  if (match === null) return null
  const address = /(?:^|,)address=([^,\s]+)/.exec(match[1] ?? '')
  if (address === null) return null
  const text = address[1] ?? ''
  const port = Number(text.slice(text.lastIndexOf(':') + 1))
  return Number.isInteger(port) && port > 0 ? port : null
}

/** A Docker daemon's TCP port from `-H tcp://0.0.0.0:2375`, when it names one. */
function dockerDaemonPorts(command: string): number[] {
  return [...command.matchAll(/(?:-H\s*|--host[=\s])tcp:\/\/[^\s:]*:(\d+)/g)].map((match) => Number(match[1]))
}

/**
 * The service a listener is: the process and its command line first (a Node.js inspector or a
 * JDWP agent on whatever port the command names, a database server by name), then the port.
 */
export function recognizeService(protocol: 'tcp' | 'udp', port: number, process: string | null, command: string | null): WellKnownService | null {
  const commandLine = command ?? ''
  if (protocol === 'tcp') {
    if (nodeInspectorPort(commandLine) === port) return sensitive('Node.js inspector', DEBUGGER)
    if (jdwpPort(commandLine) === port) return sensitive('Java debugger (JDWP)', DEBUGGER)
    if (process === 'dockerd' && dockerDaemonPorts(commandLine).includes(port)) {
      return sensitive(port === 2376 ? 'Docker API' : 'Docker API (no TLS)', CONTAINER_API)
    }
    const byProcess = process === null ? undefined : PROCESSES.get(process)
    if (byProcess !== undefined) return byProcess
  }
  return (protocol === 'tcp' ? TCP_PORTS : UDP_PORTS).get(port) ?? null
}
