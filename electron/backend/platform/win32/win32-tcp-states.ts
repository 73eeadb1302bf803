/**
 * TCP states on Windows. iphlpapi numbers them MIB_TCP_STATE_CLOSED (1) to
 * MIB_TCP_STATE_DELETE_TCB (12) (tcpmib.h); `netstat` prints them by name. Both become the socket
 * model's names, which are Linux's.
 */
import type { SocketState } from '../../../../shared/model/socket'

/**
 * The model's state for each MIB_TCP_STATE number, 1..12: CLOSED, LISTEN, SYN_SENT, SYN_RCVD,
 * ESTAB, FIN_WAIT1, FIN_WAIT2, CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT, DELETE_TCB. DELETE_TCB is
 * a connection being torn down; the model has no such state, and it is shown as CLOSE.
 */
const BY_NUMBER: Readonly<Record<number, SocketState>> = {
  1: 'CLOSE',
  2: 'LISTEN',
  3: 'SYN_SENT',
  4: 'SYN_RECV',
  5: 'ESTABLISHED',
  6: 'FIN_WAIT1',
  7: 'FIN_WAIT2',
  8: 'CLOSE_WAIT',
  9: 'CLOSING',
  10: 'LAST_ACK',
  11: 'TIME_WAIT',
  12: 'CLOSE'
}

/** The model's state for a name `netstat -ano` prints (English Windows). */
const BY_NAME: Readonly<Record<string, SocketState>> = {
  CLOSED: 'CLOSE',
  LISTENING: 'LISTEN',
  SYN_SENT: 'SYN_SENT',
  SYN_RECEIVED: 'SYN_RECV',
  ESTABLISHED: 'ESTABLISHED',
  FIN_WAIT_1: 'FIN_WAIT1',
  FIN_WAIT_2: 'FIN_WAIT2',
  CLOSE_WAIT: 'CLOSE_WAIT',
  CLOSING: 'CLOSING',
  LAST_ACK: 'LAST_ACK',
  TIME_WAIT: 'TIME_WAIT',
  DELETE_TCB: 'CLOSE',
  BOUND: 'CLOSE'
}

/** MIB_TCP_STATE_DELETE_TCB: the state SetTcpEntry takes to close a connection. */
export const MIB_TCP_STATE_DELETE_TCB = 12

/** The state of a MIB_TCP_STATE number; one this table does not know stays visible as UNKNOWN_n. */
export function windowsTcpStateFromNumber(state: number): SocketState {
  return BY_NUMBER[state] ?? `UNKNOWN_${state}`
}

/** The state of a name netstat printed, or null when it is not an English state name. */
export function windowsTcpStateFromName(name: string): SocketState | null {
  return BY_NAME[name] ?? null
}
