/*
 * The hand-counted libproc offsets against a second reading of sys/proc_info.h: the same structs
 * declared for koffi, which lays them out by the C rules of the 64-bit ABI. The sizes are also the
 * ones published for the header (sizeof(struct socket_fdinfo) is 792 on 64-bit macOS).
 */
import { describe, expect, it } from 'vitest'
import { IN_SOCKINFO, PROC_BSDINFO, SOCKET_FDINFO, TCP_SOCKINFO, UN_SOCKINFO } from '../../../../../electron/backend/platform/darwin/libproc-layout'
import { inSockinfo, koffi, procBsdinfo, protoOffset, socketFdinfo, socketInfo, tcpSockinfo, unSockinfo } from '../../../../support/libproc-structs'

const psi = koffi.offsetof(socketFdinfo, 'psi')
const inSocket = (field: string) => koffi.offsetof(socketInfo, field) + psi

describe('libproc layout', () => {
  it('has the sizes of the published header', () => {
    expect([koffi.sizeof(socketFdinfo), SOCKET_FDINFO.size]).toEqual([792, 792])
    expect([koffi.sizeof(procBsdinfo), PROC_BSDINFO.size]).toEqual([136, 136])
    expect(koffi.sizeof(inSockinfo)).toBe(IN_SOCKINFO.size)
  })

  it('puts every socket_info field read where koffi lays it out', () => {
    expect(SOCKET_FDINFO.uid).toBe(psi + 16)
    expect([SOCKET_FDINFO.socketHandle, SOCKET_FDINFO.type, SOCKET_FDINFO.protocol, SOCKET_FDINFO.family]).toEqual([
      inSocket('soi_so'),
      inSocket('soi_type'),
      inSocket('soi_protocol'),
      inSocket('soi_family')
    ])
    expect([SOCKET_FDINFO.options, SOCKET_FDINFO.state, SOCKET_FDINFO.acceptQueue, SOCKET_FDINFO.incompleteQueue, SOCKET_FDINFO.acceptQueueLimit]).toEqual([
      inSocket('soi_options'),
      inSocket('soi_state'),
      inSocket('soi_qlen'),
      inSocket('soi_incqlen'),
      inSocket('soi_qlimit')
    ])
    expect([SOCKET_FDINFO.receiveBytes, SOCKET_FDINFO.sendBytes, SOCKET_FDINFO.kind, SOCKET_FDINFO.proto]).toEqual([
      inSocket('soi_rcv'),
      inSocket('soi_snd'),
      inSocket('soi_kind'),
      protoOffset()
    ])
  })

  it('puts the protocol parts where koffi lays them out', () => {
    expect([IN_SOCKINFO.foreignPort, IN_SOCKINFO.localPort, IN_SOCKINFO.versionFlags, IN_SOCKINFO.foreignAddress, IN_SOCKINFO.localAddress]).toEqual(
      ['insi_fport', 'insi_lport', 'insi_vflag', 'insi_faddr', 'insi_laddr'].map((field) => koffi.offsetof(inSockinfo, field))
    )
    expect([TCP_SOCKINFO.state, TCP_SOCKINFO.timers, TCP_SOCKINFO.maxSegmentSize]).toEqual(
      ['tcpsi_state', 'tcpsi_timer', 'tcpsi_mss'].map((field) => koffi.offsetof(tcpSockinfo, field))
    )
    expect([UN_SOCKINFO.peerHandle, UN_SOCKINFO.address, UN_SOCKINFO.peerAddress]).toEqual(
      ['unsi_conn_so', 'unsi_addr', 'unsi_caddr'].map((field) => koffi.offsetof(unSockinfo, field))
    )
  })

  it('puts the proc_bsdinfo fields read where koffi lays them out', () => {
    const fields = ['pbi_status', 'pbi_pid', 'pbi_ppid', 'pbi_uid', 'pbi_comm', 'pbi_name', 'pbi_nfiles', 'pbi_pgid', 'pbi_start_tvsec', 'pbi_start_tvusec']
    const ours = [
      PROC_BSDINFO.status,
      PROC_BSDINFO.pid,
      PROC_BSDINFO.parentPid,
      PROC_BSDINFO.uid,
      PROC_BSDINFO.comm,
      PROC_BSDINFO.name,
      PROC_BSDINFO.fileCount,
      PROC_BSDINFO.processGroup,
      PROC_BSDINFO.startSeconds,
      PROC_BSDINFO.startMicroseconds
    ]
    expect(ours).toEqual(fields.map((field) => koffi.offsetof(procBsdinfo, field)))
  })
})
