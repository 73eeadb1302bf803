/**
 * TCP internals of one socket, as the kernel reports them in `struct tcp_info` and beside it
 * (congestion algorithm, socket memory). Names carry their unit; values equal what `ss -ti`
 * prints for the same socket: times in milliseconds, rates in bits per second. The platform decodes
 * them; the socket table and close events carry them.
 */

/** Memory counters in bytes (drops: packets); null for a counter an older kernel does not send. */
export interface SocketMemory {
  /** Bytes held by received data not yet read (ss `r`). */
  readonly rmemAlloc: number | null
  /** Receive buffer size (ss `rb`). */
  readonly rcvBuf: number | null
  /** Bytes held by sent data not yet freed (ss `t`). */
  readonly wmemAlloc: number | null
  /** Send buffer size (ss `tb`). */
  readonly sndBuf: number | null
  /** Memory reserved ahead of need (ss `f`). */
  readonly fwdAlloc: number | null
  /** Bytes queued for sending (ss `w`). */
  readonly wmemQueued: number | null
  /** Option memory (ss `o`). */
  readonly optmem: number | null
  /** Bytes waiting in the backlog while the socket was busy (ss `bl`). */
  readonly backlog: number | null
  /** Packets dropped for lack of room (ss `d`). */
  readonly drops: number | null
}

/** TCP internals of one socket. Every field is null when the kernel did not report it. */
export interface TcpInfo {
  /** Smoothed round-trip time (ss `rtt:` first number); microsecond precision. */
  readonly rttMs: number | null
  /** Round-trip time variation (ss `rtt:` second number). */
  readonly rttVarMs: number | null
  /** Lowest round-trip time seen (ss `minrtt:`); null before the first sample. */
  readonly minRttMs: number | null
  /** Congestion window in segments (ss `cwnd:`). */
  readonly cwnd: number | null
  /** Slow-start threshold in segments (ss `ssthresh:`); null while unbounded (slow start). */
  readonly ssthresh: number | null
  /** Send maximum segment size in bytes (ss `mss:`). */
  readonly mss: number | null
  readonly bytesSent: number | null
  readonly bytesAcked: number | null
  readonly bytesReceived: number | null
  readonly bytesRetrans: number | null
  readonly segsOut: number | null
  readonly segsIn: number | null
  /** Retransmitted segments over the connection's life (ss `retrans:` second number). */
  readonly retransTotal: number | null
  /** Segments currently thought lost (ss `lost:`). */
  readonly lost: number | null
  /** Reordering degree the sender assumes (ss `reordering:`, printed when not 3). */
  readonly reordering: number | null
  /** Time since data was last sent (ss `lastsnd:`). */
  readonly lastSendMs: number | null
  /** Time since data was last received (ss `lastrcv:`). */
  readonly lastReceiveMs: number | null
  /** Recent delivery rate (ss `delivery_rate`). */
  readonly deliveryRateBps: number | null
  /** Pacing rate (ss `pacing_rate`); null when unlimited. */
  readonly pacingRateBps: number | null
  /** Time spent with data in flight (ss `busy:`, which drops the fraction). */
  readonly busyMs: number | null
  /** Part of the busy time limited by the peer's receive window (ss `rwnd_limited:`). */
  readonly rwndLimitedMs: number | null
  /** Part of the busy time limited by the local send buffer (ss `sndbuf_limited:`). */
  readonly sndbufLimitedMs: number | null
  /** Congestion control algorithm (INET_DIAG_CONG), e.g. cubic or bbr. */
  readonly congestion: string | null
  /** The socket's memory (INET_DIAG_SKMEMINFO, ss `skmem:`). */
  readonly memory: SocketMemory | null
}
