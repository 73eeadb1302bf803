/** Which socket fields the Windows provider fills, and why the others stay empty on Windows. */
import { FILLED_EVERYWHERE, withoutNetworkNamespaces, type FieldAvailability } from '../field-availability'

const NO_INODES = 'Windows does not number sockets as files: rows are told apart by their endpoints and owning pid, so inode stays 0.'

/** The Windows answers (see field-availability.ts). */
export const WIN32_FIELDS: FieldAvailability = {
  ...FILLED_EVERYWHERE,
  recvQueue: 'GetExtendedTcpTable and GetExtendedUdpTable report no queue sizes, so both queues show 0.',
  sendQueue: 'GetExtendedTcpTable and GetExtendedUdpTable report no queue sizes, so both queues show 0.',
  user: 'The owning user needs the process token (OpenProcessToken, LookupAccountSid), which is not read yet.',
  uid: 'Windows users are SIDs, not numbers.',
  inode: NO_INODES,
  peerInode: 'iphlpapi lists no AF_UNIX sockets.',
  unixType: 'iphlpapi lists no AF_UNIX sockets.',
  rawProtocol: 'iphlpapi lists no raw sockets.',
  timer: 'iphlpapi reports no TCP timers.',
  retransmits: 'Per-connection statistics (GetPerTcpConnectionEStats) are not read yet.',
  tcpInfo: 'Per-connection statistics (GetPerTcpConnectionEStats: rtt, bytes) are not read yet; they also need extended statistics switched on per connection, as administrator.',
  throughput: 'Follows from the byte counters of tcpInfo, which are not read on Windows yet.',
  ...withoutNetworkNamespaces('Windows')
}
