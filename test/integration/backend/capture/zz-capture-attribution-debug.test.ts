import { once } from 'node:events'
import { connect, createServer } from 'node:net'
import { it } from 'vitest'
import { createBackend } from '../../../../electron/backend/backend'
import type { CaptureTick } from '../../../../shared/contract/capture'
it('dbg', async () => {
  const backend = createBackend({ intervalMs: 200, resolveNames: false, dataDirectory: '/tmp/sockscope-capture-work/data' })
  const ticks: CaptureTick[] = []
  backend.subscribe((e, p) => { if (e === 'capture/tick') ticks.push(p as CaptureTick) })
  const server = createServer((socket) => socket.on('data', (chunk) => socket.write(chunk)))
  server.listen(0, '127.0.0.1'); await once(server, 'listening')
  const port = (server.address() as { port: number }).port
  await backend.handle('capture/interfaces', {})
  await backend.handle('capture/start', { interface: 'lo', filter: `tcp port ${port}` })
  const client = connect(port, '127.0.0.1'); await once(client, 'connect')
  for (let round = 0; round < 5; round++) { client.write(Buffer.alloc(1000, 1)); await once(client, 'data'); await new Promise((r) => setTimeout(r, 100)) }
  client.end(); await once(client, 'close')
  await backend.handle('capture/stop', {})
  const lines = ['client ' + client.localPort + ' server ' + port + ' pid ' + process.pid]
  for (const t of ticks) for (const c of t.connections) lines.push([t.sequence, c.localPort, c.remotePort, c.pid, c.bytesSent, c.bytesReceived, c.packets].join(' '))
  for (const t of ticks) for (const r of t.recent) lines.push(['row', r.index, r.summary.sourcePort, r.summary.destinationPort, r.pid, r.direction, r.summary.timestampSeconds + '.' + r.summary.timestampNanos].join(' '))
  process.stderr.write('DBG\n' + lines.join('\n') + '\n')
  await backend.dispose(); server.close()
})
