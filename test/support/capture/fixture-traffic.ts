/**
 * Loopback traffic for the capture fixtures: run inside an empty network namespace while
 * tcpdump and dumpcap listen on its `lo`, so the captures hold nothing else.
 *
 * Produces: TCP over IPv4 and IPv6 with payload and a clean close, a refused TCP connection
 * (RST), UDP, DNS over UDP (A with CNAME, AAAA, TXT, PTR, NXDOMAIN, an unknown type) and TCP,
 * an mDNS query, a TLS handshake with SNI and ALPN, an HTTP/1.1 exchange, and ICMP/ICMPv6
 * port-unreachable errors. With `--fragments` it sends only large UDP datagrams, which the
 * namespace's small MTU splits into IPv4 and IPv6 fragments.
 *
 * Usage: ip netns exec NS npx tsx test/support/capture/fixture-traffic.ts CERT_DIR [--fragments]
 */

import { createSocket, type Socket as UdpSocket } from 'node:dgram'
import { createServer as createHttpServer, request as httpRequest } from 'node:http'
import { createConnection, createServer as createTcpServer, type AddressInfo } from 'node:net'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { connect as tlsConnect, createServer as createTlsServer } from 'node:tls'
import { buildDnsMessage, DNS_TYPE, readDnsQuery, type BuiltRecord } from './dns-message-builder'

const pause = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds))

async function tcpEcho(host: string, port: number, message: string): Promise<void> {
  const server = createTcpServer((socket) => {
    socket.on('data', (data) => socket.end(`echo: ${data.toString()}`))
  })
  await new Promise<void>((resolve) => server.listen(port, host, resolve))
  await new Promise<void>((resolve, reject) => {
    const client = createConnection({ host, port }, () => client.write(message))
    client.on('data', () => client.end())
    client.on('close', () => resolve())
    client.on('error', reject)
  })
  await pause(50)
  server.close()
}

async function tcpRefused(): Promise<void> {
  await new Promise<void>((resolve) => {
    const client = createConnection({ host: '127.0.0.1', port: 9 })
    client.on('error', () => resolve())
  })
}

async function udpExchange(socket: UdpSocket, host: string, port: number, payload: Uint8Array): Promise<void> {
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 300)
    socket.once('message', () => {
      clearTimeout(timer)
      resolve()
    })
    socket.send(payload, port, host)
  })
}

function dnsAnswers(name: string, type: number): { flags: number; answers: BuiltRecord[] } {
  const found = { flags: 0x8180 }
  if (name === 'www.sockscope.test' && type === DNS_TYPE.A) {
    return {
      ...found,
      answers: [
        { name, type: DNS_TYPE.CNAME, ttl: 300, data: 'edge.sockscope.test' },
        { name: 'edge.sockscope.test', type: DNS_TYPE.A, ttl: 60, data: '127.0.0.7' }
      ]
    }
  }
  if (name === 'v6.sockscope.test' && type === DNS_TYPE.AAAA) return { ...found, answers: [{ name, type, ttl: 60, data: '::7' }] }
  if (name === 'txt.sockscope.test' && type === DNS_TYPE.TXT) {
    return { ...found, answers: [{ name, type, ttl: 60, data: ['v=sockscope1', 'hello world'] }] }
  }
  if (name === '7.0.0.127.in-addr.arpa' && type === DNS_TYPE.PTR) {
    return { ...found, answers: [{ name, type, ttl: 60, data: 'edge.sockscope.test' }] }
  }
  if (name === 'tcp.sockscope.test' && type === DNS_TYPE.A) return { ...found, answers: [{ name, type, ttl: 60, data: '127.0.0.8' }] }
  if (name === 'odd.sockscope.test') return { ...found, answers: [{ name, type, ttl: 60, data: Uint8Array.of(1, 2, 3, 4, 5) }] }
  if (name === 'printer.local') return { flags: 0x8400, answers: [{ name, type: DNS_TYPE.A, ttl: 120, data: '127.0.0.9' }] }
  return { flags: 0x8183, answers: [] }
}

function answerQuery(query: Uint8Array): Uint8Array | null {
  const question = readDnsQuery(query)
  if (question === null) return null
  const { flags, answers } = dnsAnswers(question.name, question.type)
  return buildDnsMessage({ id: question.id, flags, questions: [{ name: question.name, type: question.type }], answers })
}

async function dnsTraffic(): Promise<void> {
  const responders: UdpSocket[] = []
  for (const [type, host, port] of [
    ['udp4', '127.0.0.1', 53],
    ['udp6', '::1', 53],
    ['udp4', '127.0.0.1', 5353]
  ] as const) {
    const responder = createSocket(type)
    responder.on('message', (message, remote) => {
      const answer = answerQuery(message)
      if (answer !== null) responder.send(answer, remote.port, remote.address)
    })
    await new Promise<void>((resolve) => responder.bind(port, host, resolve))
    responders.push(responder)
  }
  const client4 = createSocket('udp4')
  const client6 = createSocket('udp6')
  const queries: [UdpSocket, string, number, string, number][] = [
    [client4, '127.0.0.1', 53, 'www.sockscope.test', DNS_TYPE.A],
    [client6, '::1', 53, 'v6.sockscope.test', DNS_TYPE.AAAA],
    [client4, '127.0.0.1', 53, 'txt.sockscope.test', DNS_TYPE.TXT],
    [client4, '127.0.0.1', 53, '7.0.0.127.in-addr.arpa', DNS_TYPE.PTR],
    [client4, '127.0.0.1', 53, 'missing.sockscope.test', DNS_TYPE.A],
    [client4, '127.0.0.1', 53, 'odd.sockscope.test', 65399],
    [client4, '127.0.0.1', 5353, 'printer.local', DNS_TYPE.A]
  ]
  let id = 0x5c00
  for (const [socket, host, port, name, type] of queries) {
    id += 1
    await udpExchange(socket, host, port, buildDnsMessage({ id, flags: 0x0100, questions: [{ name, type }] }))
  }
  // DNS over TCP: each message behind a two-byte length.
  const tcpServer = createTcpServer((socket) => {
    socket.once('data', (data) => {
      const answer = answerQuery(data.subarray(2))
      if (answer === null) return void socket.destroy()
      socket.end(Buffer.concat([Buffer.from([answer.length >> 8, answer.length & 0xff]), answer]))
    })
  })
  await new Promise<void>((resolve) => tcpServer.listen(53, '127.0.0.1', resolve))
  await new Promise<void>((resolve, reject) => {
    const query = buildDnsMessage({ id: 0x7cc1, flags: 0x0100, questions: [{ name: 'tcp.sockscope.test', type: DNS_TYPE.A }] })
    const client = createConnection({ host: '127.0.0.1', port: 53 }, () => client.write(Buffer.concat([Buffer.from([query.length >> 8, query.length & 0xff]), query])))
    client.on('data', () => client.end())
    client.on('close', () => resolve())
    client.on('error', reject)
  })
  tcpServer.close()
  for (const socket of [...responders, client4, client6]) socket.close()
}

async function udpTraffic(): Promise<void> {
  const server = createSocket('udp4')
  server.on('message', (message, remote) => server.send(Buffer.concat([Buffer.from('pong '), message]), remote.port, remote.address))
  await new Promise<void>((resolve) => server.bind(7003, '127.0.0.1', resolve))
  const client = createSocket('udp4')
  await udpExchange(client, '127.0.0.1', 7003, Buffer.from('ping from sockscope'))
  // Nothing listens on port 9: the kernel answers with ICMP and ICMPv6 port unreachable.
  await udpExchange(client, '127.0.0.1', 9, Buffer.from('anyone there?'))
  const client6 = createSocket('udp6')
  await udpExchange(client6, '::1', 9, Buffer.from('anyone there on v6?'))
  for (const socket of [server, client, client6]) socket.close()
}

async function tlsTraffic(certificateDirectory: string): Promise<void> {
  const server = createTlsServer({
    key: readFileSync(join(certificateDirectory, 'key.pem')),
    cert: readFileSync(join(certificateDirectory, 'cert.pem')),
    ALPNProtocols: ['h2', 'http/1.1']
  })
  server.on('secureConnection', (socket) => socket.end('hi over tls'))
  await new Promise<void>((resolve) => server.listen(8443, '127.0.0.1', resolve))
  await new Promise<void>((resolve, reject) => {
    const client = tlsConnect({
      host: '127.0.0.1',
      port: 8443,
      servername: 'secure.sockscope.test',
      ALPNProtocols: ['h2', 'http/1.1'],
      rejectUnauthorized: false
    })
    client.on('data', () => client.end())
    client.on('close', () => resolve())
    client.on('error', reject)
  })
  server.close()
}

async function httpTraffic(): Promise<void> {
  const server = createHttpServer((request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/plain' })
    response.end(`you asked for ${request.url}\n`)
  })
  await new Promise<void>((resolve) => server.listen(8080, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  await new Promise<void>((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path: '/hello?from=sockscope', agent: false }, (response) => {
      response.resume()
      response.on('end', resolve)
    })
    request.on('error', reject)
    request.end()
  })
  await pause(50)
  server.close()
}

async function fragmentTraffic(): Promise<void> {
  for (const [type, host] of [
    ['udp4', '127.0.0.1'],
    ['udp6', '::1']
  ] as const) {
    const server = createSocket(type)
    await new Promise<void>((resolve) => server.bind(7004, host, resolve))
    const client = createSocket(type)
    await new Promise<void>((resolve) => {
      server.once('message', () => resolve())
      client.send(Buffer.alloc(4000, 0x61), 7004, host)
    })
    client.close()
    server.close()
  }
}

async function main(): Promise<void> {
  const [certificateDirectory, mode] = process.argv.slice(2)
  if (mode === '--fragments') {
    await fragmentTraffic()
    return
  }
  await tcpEcho('127.0.0.1', 7001, 'hello sockscope\n')
  await tcpEcho('::1', 7002, 'hello over ipv6\n')
  await tcpRefused()
  await udpTraffic()
  await dnsTraffic()
  await tlsTraffic(certificateDirectory!)
  await httpTraffic()
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  }
)
