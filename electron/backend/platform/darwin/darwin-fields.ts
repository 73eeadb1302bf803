/** Which socket fields the macOS provider fills, and why the others stay empty on macOS. */
import { FILLED_EVERYWHERE, withoutNetworkNamespaces, type FieldAvailability } from '../field-availability'

const NO_INODES = 'macOS does not number sockets as files: rows are told apart by the kernel handle libproc (or lsof) gives, so inode stays 0.'

/** The macOS answers (see field-availability.ts). */
export const DARWIN_FIELDS: FieldAvailability = {
  ...FILLED_EVERYWHERE,
  recvQueue: null,
  sendQueue: null,
  user: null,
  uid: null,
  inode: NO_INODES,
  peerInode: NO_INODES,
  unixType: null,
  rawProtocol: null,
  timer: 'libproc gives TCP timers as deadlines on the kernel clock (tcpsi_timer), which user space cannot read, so the time left is not known.',
  retransmits: 'libproc does not report a retransmit count.',
  tcpInfo: 'The kernel gives TCP internals (rtt, cwnd, byte counters) only through TCP_CONNECTION_INFO on a socket sockscope does not hold; libproc does not carry them.',
  throughput: 'Follows from the byte counters of tcpInfo, which macOS does not give for other processes’ sockets.',
  ...withoutNetworkNamespaces('macOS')
}
