/**
 * The capture helper's message bodies are checked against their schemas on arrival: a body of the
 * wrong shape is a CaptureProtocolError that names the message and the field, and no damage to the
 * bytes of a stream makes a reader throw anything else.
 */
import { describe, expect, it } from 'vitest'
import {
  ControlMessageReader,
  HelperMessageReader,
  MESSAGE_TYPE_CODES,
  encodeMessage,
  type ControlMessage,
  type HelperMessage,
  type MessageTypeName
} from '../../../shared/capture-messages'
import { encodePacketsMessage } from '../../../shared/capture-packet-batch'
import { CaptureProtocolError, encodeFrame } from '../../../shared/capture-protocol'
import { concatenateBytes } from '../../../shared/bytes'
import { seededRandom } from '../../support/seeded-random'

const stats = { received: 10, receivedBytes: 600, droppedByKernel: null, droppedByInterface: null, droppedByHelper: 2, delivered: 8 }
const device = {
  name: 'lo',
  description: null,
  addresses: [{ address: '127.0.0.1', netmask: '255.0.0.0', broadcast: null, destination: null }],
  loopback: true,
  linkType: 1,
  linkTypeName: 'ETHERNET',
  openError: null,
  openErrorCode: null
}
const startRequest = { interface: 'lo', filter: '', snaplen: 0, promiscuous: true, bufferSize: 1 << 20, limits: { maxPackets: null, maxBytes: null, maxDurationMs: null } }

/** A frame carrying `body` as JSON under `type`'s type byte, whatever its shape. */
function frame(type: MessageTypeName, body: unknown): Uint8Array {
  return encodeFrame(MESSAGE_TYPE_CODES[type], new TextEncoder().encode(JSON.stringify(body)))
}

function helperError(type: MessageTypeName, body: unknown): unknown {
  try {
    new HelperMessageReader().push(frame(type, body))
  } catch (error) {
    return error
  }
  return null
}

function controlError(type: MessageTypeName, body: unknown): unknown {
  try {
    new ControlMessageReader().push(frame(type, body))
  } catch (error) {
    return error
  }
  return null
}

describe('helper message bodies', () => {
  it('take every well-formed body', () => {
    const messages: HelperMessage[] = [
      { type: 'stats', stats },
      { type: 'error', code: 'no-such-device', message: 'eth9: no such device' },
      { type: 'end', reason: 'error', stats, message: 'the device went away' },
      { type: 'interfaces', interfaces: [device, { ...device, name: 'eth0', linkType: null, linkTypeName: null, openError: 'down', openErrorCode: 'other' }] }
    ]
    expect(new HelperMessageReader().push(concatenateBytes(messages.map((message) => encodeMessage(message as never))))).toEqual(messages)
  })

  it('name the message and the field that is of the wrong type, missing or not one of the allowed values', () => {
    const cases: [MessageTypeName, unknown, string][] = [
      ['stats', { stats: { ...stats, received: '10' } }, 'corrupt stats message: stats.received should be number, not "10"'],
      ['stats', { stats: { ...stats, delivered: undefined } }, 'corrupt stats message: stats.delivered is missing'],
      ['stats', { stats: { ...stats, droppedByHelper: -1 } }, 'corrupt stats message: stats.droppedByHelper should be >=0, not -1'],
      ['stats', {}, 'corrupt stats message: stats is missing'],
      ['bad-filter', { filter: 'tcp and', message: 7 }, 'corrupt bad-filter message: message should be string, not 7'],
      ['error', { code: 'on-fire', message: 'x' }, 'corrupt error message: code should be ("permission-denied" | "no-such-device" | "other"), not "on-fire"'],
      ['end', { reason: 'count', stats, message: 3 }, 'corrupt end message: message should be string, not 3'],
      ['interfaces', { interfaces: 'lo' }, 'corrupt interfaces message: interfaces should be Array, not "lo"'],
      ['interfaces', { interfaces: [{ ...device, addresses: [{ address: 1 }] }] }, 'corrupt interfaces message: interfaces.0.addresses.0.address should be string, not 1'],
      [
        'started',
        { interface: 'lo', linkType: 1, linkTypeName: 'ETHERNET', snaplen: 65535, promiscuous: true, startedAt: 1, timestampDecimals: 12, notes: [] },
        'corrupt started message: timestampDecimals should be <=9, not 12'
      ],
      ['filter-ok', { interface: 'lo', filter: 'udp', linkType: 1.5 }, 'corrupt filter-ok message: linkType should be integer, not 1.5']
    ]
    for (const [type, body, message] of cases) expect(helperError(type, body)).toEqual(new CaptureProtocolError(message))
  })

  it('refuse a body that is not a JSON object', () => {
    expect(helperError('stats', [stats])).toEqual(new CaptureProtocolError('corrupt stats message: payload is not a JSON object'))
    expect(helperError('stats', null)).toEqual(new CaptureProtocolError('corrupt stats message: payload is not a JSON object'))
    const reader = new HelperMessageReader()
    expect(() => reader.push(encodeFrame(MESSAGE_TYPE_CODES.stats, new Uint8Array([0xff, 0xfe])))).toThrow(new CaptureProtocolError('corrupt stats message: payload is not UTF-8'))
  })

  it('drop keys a body does not define instead of passing them on', () => {
    const [message] = new HelperMessageReader().push(frame('bad-filter', { filter: 'x', message: 'y', extra: { deep: true } }))
    expect(message).toEqual({ type: 'bad-filter', filter: 'x', message: 'y' })
  })
})

describe('control message bodies', () => {
  it('check the whole start request, its limits and batching included', () => {
    const cases: [unknown, string][] = [
      [{ request: { ...startRequest, snaplen: 'big' } }, 'corrupt start message: request.snaplen should be number, not "big"'],
      [{ request: { ...startRequest, promiscuous: 'yes' } }, 'corrupt start message: request.promiscuous should be boolean, not "yes"'],
      [{ request: { ...startRequest, limits: { maxPackets: 5, maxBytes: null } } }, 'corrupt start message: request.limits.maxDurationMs is missing'],
      [{ request: { ...startRequest, batching: { flushIntervalMs: 0 } } }, 'corrupt start message: request.batching.flushIntervalMs should be >=1, not 0'],
      [{ request: { ...startRequest, interface: undefined } }, 'corrupt start message: request.interface is missing'],
      [{}, 'corrupt start message: request is missing']
    ]
    for (const [body, message] of cases) expect(controlError('start', body)).toEqual(new CaptureProtocolError(message))
    expect(controlError('start', { request: { ...startRequest, batching: { maxPackets: 10 } } })).toBeNull()
  })

  it('check the list and filter requests', () => {
    expect(controlError('list-interfaces', { request: { probeLinkTypes: 'true' } })).toEqual(
      new CaptureProtocolError('corrupt list-interfaces message: request.probeLinkTypes should be boolean, not "true"')
    )
    expect(controlError('compile-filter', { request: { interface: 'lo' } })).toEqual(new CaptureProtocolError('corrupt compile-filter message: request.filter is missing'))
  })
})

/** The stream with a few bytes changed, cut short, or with a run of bytes repeated. */
function damage(source: Uint8Array, next: () => number): Uint8Array {
  const pick = (limit: number): number => Math.floor(next() * limit)
  const bytes = Uint8Array.from(source)
  const kind = pick(3)
  if (kind === 0) for (let changes = 1 + pick(8); changes > 0; changes--) bytes[pick(bytes.length)] = pick(256)
  if (kind === 1) return bytes.subarray(0, pick(bytes.length))
  if (kind === 2) {
    const start = pick(bytes.length)
    return concatenateBytes([bytes.subarray(0, start), bytes.subarray(start, start + pick(32)), bytes.subarray(start)])
  }
  return bytes
}

describe('damaged streams', () => {
  const helperStream = concatenateBytes([
    encodeMessage({ type: 'started', interface: 'lo', linkType: 1, linkTypeName: 'ETHERNET', snaplen: 65535, promiscuous: true, startedAt: 1, timestampDecimals: 9, notes: ['n'] }),
    encodePacketsMessage([{ interfaceIndex: 0, timestampSeconds: 1, timestampNanos: 2, originalLength: 3, data: new Uint8Array([1, 2, 3]) }]),
    encodeMessage({ type: 'stats', stats }),
    encodeMessage({ type: 'interfaces', interfaces: [device] }),
    encodeMessage({ type: 'end', reason: 'stopped', stats, message: null })
  ])
  const control: ControlMessage[] = [
    { type: 'start', request: startRequest },
    { type: 'list-interfaces', request: { probeLinkTypes: false } },
    { type: 'compile-filter', request: { interface: 'lo', filter: 'tcp' } },
    { type: 'stop' }
  ]
  const controlStream = concatenateBytes(control.map(encodeMessage))

  it('never make a reader throw anything but a CaptureProtocolError, in 3,000 rounds each way', () => {
    const next = seededRandom(0xcab1e)
    const surprises: string[] = []
    let refused = 0
    for (let round = 0; round < 3000; round++) {
      for (const [stream, reader] of [
        [helperStream, new HelperMessageReader()],
        [controlStream, new ControlMessageReader()]
      ] as const) {
        const damaged = damage(stream, next)
        const chunk = 1 + Math.floor(next() * 64)
        try {
          for (let offset = 0; offset < damaged.length; offset += chunk) reader.push(damaged.subarray(offset, offset + chunk))
          reader.finish()
        } catch (error) {
          if (error instanceof CaptureProtocolError) refused++
          else surprises.push(`round ${round}: ${String(error)}`)
        }
      }
    }
    expect(surprises).toEqual([])
    // Most damage is caught; a change inside a string can still leave a valid message.
    expect(refused).toBeGreaterThan(3000)
  })
})
