/**
 * TLS records at the start of a TCP payload: the handshake's ClientHello (server name and
 * ALPN) and ServerHello, and the names of other record types. Encrypted content is not touched.
 */

import type { TlsHandshakeInfo } from '../../../../shared/model/decoded-packet'
import { hexNumber, latin1Text, networkUint16, networkUint24 } from '../../../../shared/bytes'
import type { DecodeState } from './decode-state'
import { tlsContentTypeName, tlsHandshakeName, tlsVersionName } from './protocol-names'
import { elementAt } from '../../../../shared/element-at'

const CONTENT_HANDSHAKE = 22
const HANDSHAKE_CLIENT_HELLO = 1
const HANDSHAKE_SERVER_HELLO = 2
const EXTENSION_SERVER_NAME = 0
const EXTENSION_ALPN = 16
const EXTENSION_SUPPORTED_VERSIONS = 43
/** A record is at most 2^14 bytes of plaintext plus expansion. */
const MAXIMUM_RECORD_LENGTH = 16384 + 2048
/** Records listed in the info line of one segment. */
const MAXIMUM_RECORDS = 16

/**
 * True when the payload starts with a plausible TLS record header: a handshake record of any
 * SSL 3/TLS version, or another record type with the 0x0301–0x0303 versions TLS uses on the wire.
 */
export function looksLikeTls(data: Uint8Array, start: number, end: number): boolean {
  if (end - start < 5) return false
  const contentType = elementAt(data, start)
  const major = elementAt(data, start + 1)
  const minor = elementAt(data, start + 2)
  const length = networkUint16(data, start + 3)
  if (major !== 3 || length === 0 || length > MAXIMUM_RECORD_LENGTH) return false
  if (contentType === CONTENT_HANDSHAKE) return minor <= 4
  return contentType >= 20 && contentType <= 24 && minor >= 1 && minor <= 3
}

/** Stops the walk at the end of the captured bytes. */
class TlsTruncated extends Error {
  constructor(readonly offset: number) {
    super('truncated')
  }
}

/** Decodes the TLS records of a payload (only the first may be a hello that is looked into). */
export function decodeTls(state: DecodeState, start: number, end: number): void {
  const data = state.data
  state.protocol = 'TLS'
  const names: string[] = []
  let position = start
  let handshake: TlsHandshakeInfo | null = null
  for (let count = 0; count < MAXIMUM_RECORDS && end - position >= 5; count += 1) {
    const contentType = elementAt(data, position)
    const version = networkUint16(data, position + 1)
    const length = networkUint16(data, position + 3)
    if (count > 0 && !looksLikeTls(data, position, end)) break
    const recordEnd = position + 5 + length
    const tree = state.tree
    tree?.layer('tls', `Transport Layer Security, ${tlsContentTypeName(contentType)}`, position, Math.min(recordEnd, end) - position)
    tree?.add('tls.record.content_type', 'Content Type', contentType, position, 1, `${tlsContentTypeName(contentType)} (${contentType})`)
    tree?.add('tls.record.version', 'Version', version, position + 1, 2, `${tlsVersionName(version)} (${hexNumber(version, 4)})`)
    tree?.add('tls.record.length', 'Length', length, position + 3, 2)
    if (contentType === CONTENT_HANDSHAKE) {
      const found = decodeHandshakes(state, position + 5, Math.min(recordEnd, end), recordEnd > end, version, names)
      handshake ??= found
    } else {
      names.push(tlsContentTypeName(contentType))
    }
    position = recordEnd
  }
  if (handshake !== null) {
    state.tls = state.tree !== null ? handshake : null
    const helloIndex = names.indexOf(handshake.handshakeName)
    if (handshake.serverName !== null && helloIndex >= 0) names[helloIndex] = `${handshake.handshakeName} (SNI=${handshake.serverName})`
  }
  state.info = names.join(', ')
}

/** Decodes the handshake messages of one record; returns what the first hello said. */
function decodeHandshakes(state: DecodeState, start: number, end: number, recordContinues: boolean, recordVersion: number, names: string[]): TlsHandshakeInfo | null {
  const data = state.data
  let position = start
  let hello: TlsHandshakeInfo | null = null
  while (end - position >= 4) {
    const type = elementAt(data, position)
    const length = networkUint24(data, position + 1)
    names.push(tlsHandshakeName(type))
    state.tree?.open('tls.handshake', 'Handshake Protocol', type, position, Math.min(4 + length, end - position), tlsHandshakeName(type))
    state.tree?.add('tls.handshake.type', 'Handshake Type', type, position, 1, `${tlsHandshakeName(type)} (${type})`)
    state.tree?.add('tls.handshake.length', 'Length', length, position + 1, 3)
    const bodyEnd = Math.min(position + 4 + length, end)
    const messageContinues = position + 4 + length > end
    if ((type === HANDSHAKE_CLIENT_HELLO || type === HANDSHAKE_SERVER_HELLO) && hello === null) {
      hello = decodeHello(state, type, position + 4, bodyEnd, recordVersion, messageContinues && recordContinues)
      if (messageContinues && !recordContinues) state.markMalformed('tls', `${tlsHandshakeName(type)} is longer than its record`, position + 1)
    }
    state.tree?.close()
    if (messageContinues) break
    position += 4 + length
  }
  return hello
}

function decodeHello(state: DecodeState, type: number, start: number, end: number, recordVersion: number, incompleteBySegment: boolean): TlsHandshakeInfo {
  const data = state.data
  const tree = state.tree
  let helloVersion: number | null = null
  let serverName: string | null = null
  const alpn: string[] = []
  const supportedVersions: number[] = []
  let incomplete = false
  const need = (position: number, length: number) => {
    if (position + length > end) throw new TlsTruncated(position)
  }
  try {
    need(start, 2 + 32 + 1)
    helloVersion = networkUint16(data, start)
    tree?.add('tls.handshake.version', 'Version', helloVersion, start, 2, `${tlsVersionName(helloVersion)} (${hexNumber(helloVersion, 4)})`)
    tree?.add('tls.handshake.random', 'Random', null, start + 2, 32, '32 bytes')
    let position = start + 34
    const sessionIdLength = elementAt(data, position)
    need(position + 1, sessionIdLength)
    tree?.add('tls.handshake.session_id_length', 'Session ID Length', sessionIdLength, position, 1)
    position += 1 + sessionIdLength
    if (type === HANDSHAKE_CLIENT_HELLO) {
      need(position, 2)
      const cipherSuitesLength = networkUint16(data, position)
      need(position + 2, cipherSuitesLength)
      tree?.add('tls.handshake.cipher_suites_length', 'Cipher Suites Length', cipherSuitesLength, position, 2)
      position += 2 + cipherSuitesLength
      need(position, 1)
      const compressionLength = elementAt(data, position)
      need(position + 1, compressionLength)
      position += 1 + compressionLength
    } else {
      need(position, 3)
      const cipherSuite = networkUint16(data, position)
      tree?.add('tls.handshake.ciphersuite', 'Cipher Suite', cipherSuite, position, 2, hexNumber(cipherSuite, 4))
      position += 3
    }
    if (position + 2 <= end) {
      const extensionsLength = networkUint16(data, position)
      tree?.open('tls.handshake.extensions_length', 'Extensions', extensionsLength, position, Math.min(2 + extensionsLength, end - position), `${extensionsLength} bytes`)
      position += 2
      const extensionsEnd = position + extensionsLength
      while (position + 4 <= Math.min(extensionsEnd, end)) {
        const extensionType = networkUint16(data, position)
        const extensionLength = networkUint16(data, position + 2)
        const body = position + 4
        need(body, extensionLength)
        if (body + extensionLength > extensionsEnd) throw new TlsTruncated(position)
        if (extensionType === EXTENSION_SERVER_NAME && type === HANDSHAKE_CLIENT_HELLO) {
          serverName = readServerName(data, body, body + extensionLength)
          tree?.add('tls.handshake.extensions_server_name', 'Server Name', serverName, body, extensionLength)
        } else if (extensionType === EXTENSION_ALPN) {
          readAlpn(data, body, body + extensionLength, alpn)
          tree?.add('tls.handshake.extensions_alpn_str', 'ALPN', alpn.join(', '), body, extensionLength)
        } else if (extensionType === EXTENSION_SUPPORTED_VERSIONS) {
          readSupportedVersions(data, body, body + extensionLength, type, supportedVersions)
          tree?.add('tls.handshake.extensions.supported_versions', 'Supported Versions', supportedVersions.map(tlsVersionName).join(', '), body, extensionLength)
        } else {
          tree?.add('tls.handshake.extension.type', `Extension ${extensionType}`, extensionType, position, 4 + extensionLength, `${extensionLength} bytes`)
        }
        position = body + extensionLength
      }
      tree?.close()
      if (position < extensionsEnd && extensionsEnd > end) throw new TlsTruncated(position)
    }
  } catch (error) {
    if (!(error instanceof TlsTruncated)) throw error
    if (incompleteBySegment) incomplete = true
    else state.markMalformed('tls', `${tlsHandshakeName(type)} field runs past the message`, error.offset)
  }
  return {
    handshakeType: type,
    handshakeName: tlsHandshakeName(type),
    recordVersion,
    helloVersion,
    serverName,
    alpn,
    supportedVersions,
    incomplete
  }
}

/** The host_name entry of a server_name extension. */
function readServerName(data: Uint8Array, start: number, end: number): string | null {
  if (end - start < 2) return null
  let position = start + 2
  const listEnd = Math.min(end, start + 2 + networkUint16(data, start))
  while (position + 3 <= listEnd) {
    const nameType = elementAt(data, position)
    const nameLength = networkUint16(data, position + 1)
    if (position + 3 + nameLength > listEnd) return null
    if (nameType === 0) return latin1Text(data, position + 3, position + 3 + nameLength)
    position += 3 + nameLength
  }
  return null
}

function readAlpn(data: Uint8Array, start: number, end: number, into: string[]): void {
  if (end - start < 2) return
  let position = start + 2
  const listEnd = Math.min(end, start + 2 + networkUint16(data, start))
  while (position < listEnd) {
    const length = elementAt(data, position)
    if (length === 0 || position + 1 + length > listEnd) return
    into.push(latin1Text(data, position + 1, position + 1 + length))
    position += 1 + length
  }
}

function readSupportedVersions(data: Uint8Array, start: number, end: number, handshakeType: number, into: number[]): void {
  if (handshakeType === HANDSHAKE_SERVER_HELLO) {
    if (end - start >= 2) into.push(networkUint16(data, start))
    return
  }
  if (end - start < 1) return
  const listEnd = Math.min(end, start + 1 + elementAt(data, start))
  for (let position = start + 1; position + 2 <= listEnd; position += 2) into.push(networkUint16(data, position))
}
