/**
 * Byte layout of the libproc structures sockscope reads, written from Apple's published
 * sys/proc_info.h (xnu, apple-oss-distributions/xnu: bsd/sys/proc_info.h) for the 64-bit ABI
 * every supported Mac uses (arm64 and x86_64 agree on these: natural alignment, little endian).
 *
 * Offsets are counted by hand from the header and pinned by
 * test/unit/backend/platform/darwin/libproc-layout.test.ts, which also lays the same structs out
 * with koffi's C layout engine and compares. No recorded bytes from a Mac were available, so the
 * decoders are tested on buffers built from this layout (see the README's platform table).
 */

/** proc_listpids type: every process. */
export const PROC_ALL_PIDS = 1
/** proc_pidinfo flavor: the process's open fds as proc_fdinfo records. */
export const PROC_PIDLISTFDS = 1
/** proc_pidinfo flavor: struct proc_bsdinfo. */
export const PROC_PIDTBSDINFO = 3
/** proc_pidfdinfo flavor: struct socket_fdinfo. */
export const PROC_PIDFDSOCKETINFO = 3
/** proc_fdinfo.proc_fdtype of a socket. */
export const PROX_FDTYPE_SOCKET = 2

/** struct proc_fdinfo { int32_t proc_fd; uint32_t proc_fdtype; } */
export const PROC_FDINFO = { size: 8, fd: 0, fdType: 4 } as const

/**
 * struct proc_bsdinfo: twelve 32-bit ids and flags, pbi_comm[16], pbi_name[32], then five 32-bit
 * fields, pbi_nice and two 64-bit start times.
 */
export const PROC_BSDINFO = {
  size: 136,
  status: 4,
  pid: 12,
  parentPid: 16,
  uid: 20,
  comm: 48,
  commLength: 16,
  name: 64,
  nameLength: 32,
  fileCount: 96,
  processGroup: 100,
  startSeconds: 120,
  startMicroseconds: 128
} as const

/** pbi_status values (sys/proc.h): SIDL 1, SRUN 2, SSLEEP 3, SSTOP 4, SZOMB 5. */
export const PROCESS_STATUS_LETTERS: Readonly<Record<number, string>> = { 1: 'I', 2: 'R', 3: 'S', 4: 'T', 5: 'Z' }

/**
 * struct socket_fdinfo = proc_fileinfo (24 bytes) + socket_info (768 bytes).
 *
 * socket_info: vinfo_stat soi_stat (136 bytes: its vst_uid, the socket's credential, at 16), then
 * soi_so and soi_pcb (64-bit handles), soi_type, soi_protocol, soi_family (int), eight shorts
 * (options, linger, state, qlen, incqlen, qlimit, timeo, error), soi_oobmark, two sockbuf_info
 * (24 bytes each, sbi_cc first), soi_kind, a reserved word, and the soi_proto union (528 bytes,
 * its largest member un_sockinfo) 8-aligned at 240.
 */
export const SOCKET_FDINFO = {
  size: 792,
  uid: 24 + 16,
  socketHandle: 24 + 136,
  type: 24 + 152,
  protocol: 24 + 156,
  family: 24 + 160,
  options: 24 + 164,
  state: 24 + 168,
  acceptQueue: 24 + 170,
  incompleteQueue: 24 + 172,
  acceptQueueLimit: 24 + 174,
  receiveBytes: 24 + 184,
  sendBytes: 24 + 208,
  kind: 24 + 232,
  proto: 24 + 240
} as const

/**
 * struct in_sockinfo at soi_proto: insi_fport and insi_lport (int, the port in network order in
 * the low 16 bits), insi_gencnt, insi_flags, insi_flow, insi_vflag, insi_ip_ttl, a reserved word,
 * then the foreign and local addresses (16 bytes each: an in6_addr, or three pad words and an
 * in_addr). 80 bytes.
 */
export const IN_SOCKINFO = {
  foreignPort: 0,
  localPort: 4,
  versionFlags: 24,
  foreignAddress: 32,
  localAddress: 48,
  /** Where the in_addr sits inside an in4in6_addr. */
  ipv4InAddress: 12,
  size: 80
} as const

/** struct tcp_sockinfo: in_sockinfo, tcpsi_state, tcpsi_timer[4], tcpsi_mss, tcpsi_flags… */
export const TCP_SOCKINFO = { state: 80, timers: 84, maxSegmentSize: 100 } as const

/**
 * struct un_sockinfo: unsi_conn_so and unsi_conn_pcb (64-bit handles), then the bound and the
 * connected-to addresses, each a sockaddr_un (sun_len, sun_family, sun_path[104]) in a
 * SOCK_MAXADDRLEN (255) byte union.
 */
export const UN_SOCKINFO = { peerHandle: 0, address: 16, peerAddress: 16 + 255, addressLength: 255, pathOffset: 2 } as const

/** insi_vflag bits. */
export const INI_IPV4 = 0x1
export const INI_IPV6 = 0x2

/** soi_kind values. */
export const SOCKINFO_IN = 1
export const SOCKINFO_TCP = 2
export const SOCKINFO_UN = 3

/** Address families as macOS numbers them (sys/socket.h). */
export const DARWIN_AF_UNIX = 1
export const DARWIN_AF_INET = 2
export const DARWIN_AF_INET6 = 30

/** IP protocol numbers. */
export const IPPROTO_TCP = 6
export const IPPROTO_UDP = 17

/** soi_state bits (SOI_S_*). */
export const SOI_S_ISCONNECTED = 0x0002
export const SOI_S_ISCONNECTING = 0x0004
export const SOI_S_ISDISCONNECTING = 0x0008

/** soi_options bit of a listening socket (SO_ACCEPTCONN). */
export const SO_ACCEPTCONN = 0x0002
