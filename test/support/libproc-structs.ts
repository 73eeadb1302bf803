/**
 * The libproc structures again, this time as C struct declarations for koffi's layout engine,
 * transcribed field by field from Apple's sys/proc_info.h (apple-oss-distributions/xnu,
 * bsd/sys/proc_info.h). Tests encode made-up sockets with these and decode them with the hand
 * counted offsets of electron/backend/platform/darwin/libproc-layout.ts: two independent readings
 * of the header that must agree. No bytes recorded on a Mac were available.
 */
import { createRequire } from 'node:module'

const koffi = createRequire(__filename)('koffi') as typeof import('koffi')

const vinfoStat = koffi.struct('test_vinfo_stat', {
  vst_dev: 'uint32_t',
  vst_mode: 'uint16_t',
  vst_nlink: 'uint16_t',
  vst_ino: 'uint64_t',
  vst_uid: 'uint32_t',
  vst_gid: 'uint32_t',
  vst_atime: 'int64_t',
  vst_atimensec: 'int64_t',
  vst_mtime: 'int64_t',
  vst_mtimensec: 'int64_t',
  vst_ctime: 'int64_t',
  vst_ctimensec: 'int64_t',
  vst_birthtime: 'int64_t',
  vst_birthtimensec: 'int64_t',
  vst_size: 'int64_t',
  vst_blocks: 'int64_t',
  vst_blksize: 'int32_t',
  vst_flags: 'uint32_t',
  vst_gen: 'uint32_t',
  vst_rdev: 'uint32_t',
  vst_qspare: koffi.array('int64_t', 2)
})

const procFileinfo = koffi.struct('test_proc_fileinfo', { fi_openflags: 'uint32_t', fi_status: 'uint32_t', fi_offset: 'int64_t', fi_type: 'int32_t', fi_guardflags: 'uint32_t' })

const sockbufInfo = koffi.struct('test_sockbuf_info', {
  sbi_cc: 'uint32_t',
  sbi_hiwat: 'uint32_t',
  sbi_mbcnt: 'uint32_t',
  sbi_mbmax: 'uint32_t',
  sbi_lowat: 'uint32_t',
  sbi_flags: 'int16_t',
  sbi_timeo: 'int16_t'
})

/** in4in6_addr and in6_addr share 16 bytes; the union is 4-aligned (in4in6_addr holds u_int32_t). */
const inAddress = koffi.array('uint32_t', 4)

/** struct in_sockinfo. */
export const inSockinfo = koffi.struct('test_in_sockinfo', {
  insi_fport: 'int',
  insi_lport: 'int',
  insi_gencnt: 'uint64_t',
  insi_flags: 'uint32_t',
  insi_flow: 'uint32_t',
  insi_vflag: 'uint8_t',
  insi_ip_ttl: 'uint8_t',
  rfu_1: 'uint32_t',
  insi_faddr: inAddress,
  insi_laddr: inAddress,
  insi_v4: koffi.struct('test_insi_v4', { in4_tos: 'uint8_t' }),
  insi_v6: koffi.struct('test_insi_v6', { in6_hlim: 'uint8_t', in6_cksum: 'int', in6_ifindex: 'uint16_t', in6_hops: 'int16_t' })
})

/** struct tcp_sockinfo. */
export const tcpSockinfo = koffi.struct('test_tcp_sockinfo', {
  tcpsi_ini: inSockinfo,
  tcpsi_state: 'int',
  tcpsi_timer: koffi.array('int', 4),
  tcpsi_mss: 'int',
  tcpsi_flags: 'uint32_t',
  rfu_1: 'uint32_t',
  tcpsi_tp: 'uint64_t'
})

/** SOCK_MAXADDRLEN (sys/socket.h). */
const SOCK_MAXADDRLEN = 255

/** struct un_sockinfo, its two address unions as SOCK_MAXADDRLEN bytes each. */
export const unSockinfo = koffi.struct('test_un_sockinfo', {
  unsi_conn_so: 'uint64_t',
  unsi_conn_pcb: 'uint64_t',
  unsi_addr: koffi.array('uint8_t', SOCK_MAXADDRLEN),
  unsi_caddr: koffi.array('uint8_t', SOCK_MAXADDRLEN)
})

/** kern_ctl_info, the union's other large member (MAX_KCTL_NAME is 96). */
const kernCtlInfo = koffi.struct('test_kern_ctl_info', {
  kcsi_id: 'uint32_t',
  kcsi_reg_unit: 'uint32_t',
  kcsi_flags: 'uint32_t',
  kcsi_recvbufsize: 'uint32_t',
  kcsi_sendbufsize: 'uint32_t',
  kcsi_unit: 'uint32_t',
  kcsi_name: koffi.array('char', 96)
})

/** The soi_proto union. */
const soiProto = koffi.union('test_soi_proto', { pri_in: inSockinfo, pri_tcp: tcpSockinfo, pri_un: unSockinfo, pri_kern_ctl: kernCtlInfo })

/** struct socket_info. */
export const socketInfo = koffi.struct('test_socket_info', {
  soi_stat: vinfoStat,
  soi_so: 'uint64_t',
  soi_pcb: 'uint64_t',
  soi_type: 'int',
  soi_protocol: 'int',
  soi_family: 'int',
  soi_options: 'int16_t',
  soi_linger: 'int16_t',
  soi_state: 'int16_t',
  soi_qlen: 'int16_t',
  soi_incqlen: 'int16_t',
  soi_qlimit: 'int16_t',
  soi_timeo: 'int16_t',
  soi_error: 'uint16_t',
  soi_oobmark: 'uint32_t',
  soi_rcv: sockbufInfo,
  soi_snd: sockbufInfo,
  soi_kind: 'int',
  rfu_1: 'uint32_t',
  soi_proto: soiProto
})

/** struct socket_fdinfo. */
export const socketFdinfo = koffi.struct('test_socket_fdinfo', { pfi: procFileinfo, psi: socketInfo })

/** struct proc_bsdinfo (MAXCOMLEN is 16). */
export const procBsdinfo = koffi.struct('test_proc_bsdinfo', {
  pbi_flags: 'uint32_t',
  pbi_status: 'uint32_t',
  pbi_xstatus: 'uint32_t',
  pbi_pid: 'uint32_t',
  pbi_ppid: 'uint32_t',
  pbi_uid: 'uint32_t',
  pbi_gid: 'uint32_t',
  pbi_ruid: 'uint32_t',
  pbi_rgid: 'uint32_t',
  pbi_svuid: 'uint32_t',
  pbi_svgid: 'uint32_t',
  rfu_1: 'uint32_t',
  pbi_comm: koffi.array('char', 16),
  pbi_name: koffi.array('char', 32),
  pbi_nfiles: 'uint32_t',
  pbi_pgid: 'uint32_t',
  pbi_pjobc: 'uint32_t',
  e_tdev: 'uint32_t',
  e_tpgid: 'uint32_t',
  pbi_nice: 'int32_t',
  pbi_start_tvsec: 'uint64_t',
  pbi_start_tvusec: 'uint64_t'
})

export { koffi }

/** Offset of a member inside socket_fdinfo's psi.soi_proto, for encoding the union's member. */
export function protoOffset(): number {
  return koffi.offsetof(socketFdinfo, 'psi') + koffi.offsetof(socketInfo, 'soi_proto')
}

/** Network-order bytes of an IPv4 or IPv6 address in text, as the kernel stores it. */
export function addressBytes(text: string): number[] {
  if (text.includes('.')) return text.split('.').map(Number)
  const [head = '', tail = ''] = text.split('::')
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)))
  const first = groups(head)
  const last = groups(tail)
  const all = text.includes('::') ? [...first, ...new Array<number>(8 - first.length - last.length).fill(0), ...last] : first
  return all.flatMap((group) => [group >> 8, group & 0xff])
}

/** A made-up IP socket, in the fields a test chooses. */
export interface MadeUpInetSocket {
  readonly kind: 'tcp' | 'udp'
  readonly family: 4 | 6
  readonly local: [string, number]
  readonly remote: [string, number]
  readonly tcpState?: number
  readonly handle: bigint
  readonly uid?: number
  readonly receiveBytes?: number
  readonly sendBytes?: number
  readonly listening?: { readonly queued: number; readonly limit: number }
  /** insi_vflag; from the family when absent. */
  readonly versionFlags?: number
}

/** A struct socket_fdinfo for an IP socket, laid out by koffi from the declarations above. */
export function inetSocketFdinfo(socket: MadeUpInetSocket): Buffer {
  const buffer = Buffer.alloc(koffi.sizeof(socketFdinfo))
  const darwinFamily = socket.family === 4 ? 2 : 30
  koffi.encode(buffer, 0, socketFdinfo, {
    psi: {
      soi_stat: { vst_uid: socket.uid ?? 501 },
      soi_so: socket.handle,
      soi_type: socket.kind === 'tcp' ? 1 : 2,
      soi_protocol: socket.kind === 'tcp' ? 6 : 17,
      soi_family: darwinFamily,
      soi_options: socket.listening === undefined ? 0 : 0x0002,
      soi_qlen: socket.listening?.queued ?? 0,
      soi_qlimit: socket.listening?.limit ?? 0,
      soi_rcv: { sbi_cc: socket.receiveBytes ?? 0 },
      soi_snd: { sbi_cc: socket.sendBytes ?? 0 },
      soi_kind: socket.kind === 'tcp' ? 2 : 1
    }
  })
  const inet = {
    insi_fport: portInt(socket.remote[1]),
    insi_lport: portInt(socket.local[1]),
    insi_vflag: socket.versionFlags ?? (socket.family === 4 ? 1 : 2)
  }
  const at = protoOffset()
  koffi.encode(buffer, at, socket.kind === 'tcp' ? tcpSockinfo : inSockinfo, socket.kind === 'tcp' ? { tcpsi_ini: inet, tcpsi_state: socket.tcpState ?? 4 } : inet)
  const inetStart = at + (socket.kind === 'tcp' ? koffi.offsetof(tcpSockinfo, 'tcpsi_ini') : 0)
  writeAddress(buffer, inetStart + koffi.offsetof(inSockinfo, 'insi_faddr'), socket.remote[0])
  writeAddress(buffer, inetStart + koffi.offsetof(inSockinfo, 'insi_laddr'), socket.local[0])
  return buffer
}

/** A made-up UNIX socket. */
export interface MadeUpUnixSocket {
  readonly type: 1 | 2 | 5
  readonly path: string
  readonly peerPath: string
  readonly stateFlags: number
  readonly handle: bigint
  readonly listening?: { readonly queued: number; readonly limit: number }
}

/** A struct socket_fdinfo for a UNIX socket. */
export function unixSocketFdinfo(socket: MadeUpUnixSocket): Buffer {
  const buffer = Buffer.alloc(koffi.sizeof(socketFdinfo))
  koffi.encode(buffer, 0, socketFdinfo, {
    psi: {
      soi_stat: { vst_uid: 0 },
      soi_so: socket.handle,
      soi_type: socket.type,
      soi_family: 1,
      soi_options: socket.listening === undefined ? 0 : 0x0002,
      soi_state: socket.stateFlags,
      soi_qlen: socket.listening?.queued ?? 0,
      soi_qlimit: socket.listening?.limit ?? 0,
      soi_kind: 3
    }
  })
  const at = protoOffset()
  const sockaddr = (path: string) => {
    const bytes = new Array<number>(255).fill(0)
    const encoded = Buffer.from(path, 'utf8')
    bytes[0] = path === '' ? 0 : 2 + encoded.length
    bytes[1] = path === '' ? 0 : 1
    encoded.forEach((byte, index) => (bytes[2 + index] = byte))
    return bytes
  }
  koffi.encode(buffer, at, unSockinfo, { unsi_addr: sockaddr(socket.path), unsi_caddr: sockaddr(socket.peerPath) })
  return buffer
}

/** The int libproc stores a port in: the port's network-order bytes first, as in_port_t widened on a little-endian host. */
function portInt(port: number): number {
  return ((port & 0xff) << 8) | (port >> 8)
}

/** An address into a 16-byte in4in6_addr or in6_addr slot. */
function writeAddress(buffer: Buffer, offset: number, text: string): void {
  const bytes = addressBytes(text)
  buffer.set(bytes, text.includes('.') ? offset + 12 : offset)
}

/** A struct proc_bsdinfo. */
export function bsdInfo(process: {
  pid: number
  parentPid: number
  uid: number
  comm: string
  name?: string
  status?: number
  nfiles?: number
  pgid?: number
  start?: [number, number]
}): Buffer {
  const buffer = Buffer.alloc(koffi.sizeof(procBsdinfo))
  koffi.encode(buffer, 0, procBsdinfo, {
    pbi_status: process.status ?? 2,
    pbi_pid: process.pid,
    pbi_ppid: process.parentPid,
    pbi_uid: process.uid,
    pbi_nfiles: process.nfiles ?? 0,
    pbi_pgid: process.pgid ?? process.pid,
    pbi_start_tvsec: process.start?.[0] ?? 0,
    pbi_start_tvusec: process.start?.[1] ?? 0
  })
  buffer.write(process.comm, koffi.offsetof(procBsdinfo, 'pbi_comm'), 'utf8')
  if (process.name !== undefined) buffer.write(process.name, koffi.offsetof(procBsdinfo, 'pbi_name'), 'utf8')
  return buffer
}
