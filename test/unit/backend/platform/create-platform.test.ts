/*
 * Which platform the factory picks. macOS and Windows get their providers, which on this Linux
 * host build and say every read needs their OS (their decoders are tested under darwin/ and
 * win32/); an OS without a provider still gets a platform, one whose every answer says why it
 * cannot give one; reading real Linux tables is covered in
 * test/integration/backend/platform/linux/linux-socket-provider.test.ts.
 */
import { describe, expect, it } from 'vitest'
import { createPlatform, createSocketProvider, createSystemReader } from '../../../../electron/backend/platform/create-platform'
import { DarwinPlatform } from '../../../../electron/backend/platform/darwin/darwin-platform'
import { LinuxPlatform } from '../../../../electron/backend/platform/linux/linux-platform'
import { Win32Platform } from '../../../../electron/backend/platform/win32/win32-platform'

describe('createPlatform', () => {
  it('gives Linux its procfs platform, named so on the platform and its socket provider', () => {
    const platform = createPlatform('linux')
    expect(platform).toBeInstanceOf(LinuxPlatform)
    expect([platform.name, platform.sockets.platform]).toEqual(['linux', 'linux'])
    expect(platform.actions.unsupported).toBeNull()
    expect(platform.actions.processStatus(process.pid)).toMatchObject({ pid: process.pid, parentPid: process.ppid })
  })

  it('serves the OS it runs on when none is named', () => {
    expect(createPlatform().name).toBe(process.platform)
  })

  it.each([
    ['darwin', DarwinPlatform, "The macOS socket provider reads a Mac's tables; this host runs linux."],
    ['win32', Win32Platform, "The Windows socket provider reads a Windows machine's tables; this host runs linux."]
  ] as const)('gives %s its own provider, which on Linux says every read needs that OS', async (name, kind, reason) => {
    const platform = createPlatform(name)
    expect(platform).toBeInstanceOf(kind)
    expect([platform.name, platform.sockets.platform]).toEqual([name, name])
    await expect(platform.sockets.read({ withProcesses: true })).rejects.toThrow(reason)
    await expect(createSystemReader(name).readPortRange()).rejects.toThrow('this host runs linux')
    // Its actions touch nothing here: no connection is closed, no process signalled.
    expect(platform.actions.unsupported).not.toBeNull()
    expect(platform.actions.closeTcpConnection({ family: 4, localAddress: '127.0.0.1', localPort: 1, remoteAddress: '127.0.0.1', remotePort: 2, inode: 0 })).toMatchObject({
      closed: false,
      reason: 'unsupported'
    })
    platform.dispose()
  })

  it.each(['freebsd', 'aix'])('gives %s a platform whose socket reads reject with a clear reason', async (name) => {
    const platform = createPlatform(name)
    expect(platform).not.toBeInstanceOf(LinuxPlatform)
    expect([platform.name, platform.sockets.platform]).toEqual([name, name])
    await expect(platform.sockets.read({ withProcesses: true })).rejects.toThrow(`Reading socket tables is not supported yet on ${name}.`)
    // Its actions touch nothing: no process is looked at or signalled, no connection closed.
    const unsupported = `Closing connections and stopping processes is not supported yet on ${name}.`
    expect(platform.actions.unsupported).toBe(unsupported)
    expect(platform.actions.closeTcpConnection({ family: 4, localAddress: '127.0.0.1', localPort: 1, remoteAddress: '127.0.0.1', remotePort: 2, inode: 0 })).toEqual({
      closed: false,
      reason: 'unsupported',
      message: unsupported
    })
    expect(platform.actions.processStatus(process.pid)).toBeNull()
    expect(platform.actions.signal(process.pid, 'SIGTERM')).toBe('not-permitted')
    platform.dispose()
  })
})

describe('createSocketProvider', () => {
  it('is the socket provider of the platform for that OS', async () => {
    expect(createSocketProvider('linux').platform).toBe('linux')
    const provider = createSocketProvider('darwin')
    expect(provider.platform).toBe('darwin')
    await expect(provider.read({ withProcesses: true })).rejects.toThrow("The macOS socket provider reads a Mac's tables; this host runs linux.")
    await expect(createSocketProvider('sunos').read({ withProcesses: true })).rejects.toThrow('Reading socket tables is not supported yet on sunos.')
  })
})
