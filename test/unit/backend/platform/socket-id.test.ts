import { describe, expect, it } from 'vitest'
import { socketId } from '../../../../electron/backend/platform/socket-id'
import type { SocketIdentity } from '../../../../electron/backend/platform/socket-id'

const listener: SocketIdentity = {
  protocol: 'tcp',
  family: 6,
  localAddress: '::1',
  localPort: 8080,
  remoteAddress: '::',
  remotePort: 0,
  inode: 1234,
  rawProtocol: null,
  netns: null
}

describe('socketId', () => {
  it('names protocol, family, both endpoints and the inode', () => {
    expect(socketId(listener)).toBe('tcp6 ::1|8080 ::|0 #1234')
  })

  it('tells apart sockets that differ in any identifying field', () => {
    const variants: SocketIdentity[] = [
      { ...listener, protocol: 'udp' },
      { ...listener, family: 4 },
      { ...listener, localAddress: '::2' },
      { ...listener, localPort: 8081 },
      { ...listener, remoteAddress: '::1' },
      { ...listener, remotePort: 1 },
      { ...listener, inode: 0 },
      { ...listener, netns: 4026531840 }
    ]
    const ids = new Set([listener, ...variants].map((socket) => socketId(socket)))
    expect(ids.size).toBe(variants.length + 1)
  })

  it('keys a socket by its network namespace: the same endpoints in two namespaces are two sockets', () => {
    const host = { ...listener, inode: 0, netns: 4026531840 }
    const container = { ...listener, inode: 0, netns: 4026532301 }
    expect(socketId(host)).toBe('tcp6 ::1|8080 ::|0 #0 netns:4026531840')
    expect(socketId(container)).not.toBe(socketId(host))
  })

  it('does not let IPv6 colons blur address and port', () => {
    const first = socketId({ ...listener, localAddress: '::1', localPort: 80 })
    const second = socketId({ ...listener, localAddress: '::1:80', localPort: null })
    expect(first).not.toBe(second)
  })

  it('uses the IP protocol of raw sockets and the path of UNIX sockets', () => {
    expect(socketId({ ...listener, protocol: 'raw', family: 4, localAddress: '0.0.0.0', localPort: null, remotePort: null, rawProtocol: 1 })).toBe('raw4 0.0.0.0|1 ::| #1234')
    const unix: SocketIdentity = {
      protocol: 'unix',
      family: null,
      localAddress: '/run/app.sock',
      localPort: null,
      remoteAddress: '',
      remotePort: null,
      inode: 0,
      rawProtocol: null,
      netns: null
    }
    expect(socketId(unix)).toBe('unix /run/app.sock| | #0')
    expect(socketId(unix, 'ffff0001')).not.toBe(socketId(unix, 'ffff0002'))
  })
})
