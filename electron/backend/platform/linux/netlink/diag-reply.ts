/**
 * Reading sock_diag replies, pure: a dump arrives as several datagrams of SOCK_DIAG_BY_FAMILY
 * messages ended by NLMSG_DONE (which may carry the dump's error), or as one NLMSG_ERROR; a
 * request sent with NLM_F_ACK is answered by an NLMSG_ERROR whose code is 0 on success.
 *
 * Messages carrying another sequence number are left alone: they belong to an earlier request
 * (a dump abandoned halfway) and must not be mixed into this one.
 */
import { NLM_F_DUMP_INTR, NLMSG_DONE, NLMSG_ERROR, NetlinkMessageReader, netlinkFailure, readDoneCode, readErrorCode } from './netlink-message'
import type { NetlinkFailure } from './netlink-message'
import { SOCK_DIAG_BY_FAMILY } from './sock-diag'

/** Decodes one socket message's payload, or returns null when it cannot. */
export type SocketMessageDecoder<Socket> = (bytes: Uint8Array, payloadStart: number, payloadEnd: number) => Socket | null

/** Everything a dump reply said, once it is complete (or as far as it got). */
export interface DiagReply<Socket> {
  readonly sockets: readonly Socket[]
  /** Socket messages that could not be decoded (cut short, unknown family) and were left out. */
  readonly skipped: number
  /** Datagrams that ended inside a message, or were longer than the buffer that received them. */
  readonly truncatedDatagrams: number
  /** The reply ended: NLMSG_DONE or an error arrived. */
  readonly complete: boolean
  /** Why the kernel refused or stopped the dump; null when it completed. */
  readonly failure: NetlinkFailure | null
  /** The kernel saw the table change during the dump; entries may be missing or repeated. */
  readonly interrupted: boolean
}

/** Collects a dump reply datagram by datagram. */
export class DiagReplyCollector<Socket> {
  private readonly sockets: Socket[] = []
  private skipped = 0
  private truncatedDatagrams = 0
  private complete = false
  private failure: NetlinkFailure | null = null
  private interrupted = false
  private readonly reader = new NetlinkMessageReader()

  /**
   * `single`: the request names one socket, and the kernel answers it with one message and no
   * NLMSG_DONE, so that message completes the reply.
   */
  constructor(
    private readonly sequence: number,
    private readonly decode: SocketMessageDecoder<Socket>,
    private readonly single = false
  ) {}

  /** True once NLMSG_DONE or an error for this request has been read. */
  get isComplete(): boolean {
    return this.complete
  }

  /**
   * Adds one received datagram: `length` is what recv returned, which is more than
   * `bytes.length` when the datagram did not fit.
   */
  addDatagram(bytes: Uint8Array, length: number): void {
    if (length > bytes.length) this.truncatedDatagrams++
    const reader = this.reader.reset(bytes, Math.min(length, bytes.length))
    while (!this.complete && reader.next()) {
      if (reader.sequence !== this.sequence) continue
      if ((reader.flags & NLM_F_DUMP_INTR) !== 0) this.interrupted = true
      if (reader.type === SOCK_DIAG_BY_FAMILY) {
        const socket = this.decode(bytes, reader.payloadStart, reader.payloadEnd)
        if (socket === null) this.skipped++
        else this.sockets.push(socket)
        if (this.single) this.complete = true
      } else if (reader.type === NLMSG_DONE) {
        const code = readDoneCode(bytes, reader.payloadStart, reader.payloadEnd)
        if (code < 0) this.failure = netlinkFailure(code)
        this.complete = true
      } else if (reader.type === NLMSG_ERROR) {
        const code = readErrorCode(bytes, reader.payloadStart, reader.payloadEnd)
        // Code 0 is a plain acknowledgement; one too short to hold a code still ends the request.
        if (code !== 0) this.failure = netlinkFailure(code ?? EPROTO)
        this.complete = true
      }
    }
    if (reader.malformed && length <= bytes.length) this.truncatedDatagrams++
  }

  /** Marks the reply as ended by something other than the kernel (a timeout, a failed recv). */
  abandon(failure: NetlinkFailure): void {
    if (this.complete) return
    this.failure = failure
    this.complete = true
  }

  /** What was collected. */
  result(): DiagReply<Socket> {
    return {
      sockets: this.sockets,
      skipped: this.skipped,
      truncatedDatagrams: this.truncatedDatagrams,
      complete: this.complete,
      failure: this.failure,
      interrupted: this.interrupted
    }
  }
}

/** "Protocol error": what a reply that makes no sense is reported as. */
const EPROTO = 71

/**
 * Decodes a whole recorded reply (datagrams concatenated, as the fixtures hold them) with the
 * request's sequence number; a convenience over {@link DiagReplyCollector} for pure callers.
 */
export function decodeDiagReply<Socket>(bytes: Uint8Array, sequence: number, decode: SocketMessageDecoder<Socket>): DiagReply<Socket> {
  const collector = new DiagReplyCollector(sequence, decode)
  collector.addDatagram(bytes, bytes.length)
  return collector.result()
}

/**
 * The answer to an acknowledged request (NLM_F_ACK) in one datagram: 0 for success, a positive
 * errno for failure, or null when the datagram holds no NLMSG_ERROR for `sequence`.
 */
export function readAcknowledgement(bytes: Uint8Array, length: number, sequence: number): number | null {
  const reader = new NetlinkMessageReader().reset(bytes, Math.min(length, bytes.length))
  while (reader.next()) {
    if (reader.sequence !== sequence || reader.type !== NLMSG_ERROR) continue
    const code = readErrorCode(bytes, reader.payloadStart, reader.payloadEnd)
    return code === null ? EPROTO : Math.abs(code)
  }
  return null
}
