/**
 * TCP state names on macOS. The kernel numbers them as netinet/tcp_fsm.h does (TSI_S_* in
 * sys/proc_info.h); `netstat` and `lsof` print them by name. Both become the socket model's names,
 * which are Linux's (SYN_RCVD is SYN_RECV, FIN_WAIT_1 is FIN_WAIT1, CLOSED is CLOSE).
 */
import type { SocketState } from '../../../../shared/model/socket'

/** The model's state for each TSI_S_* number, 0 (TSI_S_CLOSED) to 10 (TSI_S_TIME_WAIT). */
const BY_NUMBER: readonly SocketState[] = ['CLOSE', 'LISTEN', 'SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'CLOSE_WAIT', 'FIN_WAIT1', 'CLOSING', 'LAST_ACK', 'FIN_WAIT2', 'TIME_WAIT']

/** The model's state for a state name as macOS tools print it, and as lsof prints it on Linux. */
const BY_NAME: Readonly<Record<string, SocketState>> = {
  CLOSED: 'CLOSE',
  CLOSE: 'CLOSE',
  LISTEN: 'LISTEN',
  SYN_SENT: 'SYN_SENT',
  SYN_RCVD: 'SYN_RECV',
  SYN_RECV: 'SYN_RECV',
  ESTABLISHED: 'ESTABLISHED',
  CLOSE_WAIT: 'CLOSE_WAIT',
  FIN_WAIT_1: 'FIN_WAIT1',
  FIN_WAIT1: 'FIN_WAIT1',
  CLOSING: 'CLOSING',
  LAST_ACK: 'LAST_ACK',
  FIN_WAIT_2: 'FIN_WAIT2',
  FIN_WAIT2: 'FIN_WAIT2',
  TIME_WAIT: 'TIME_WAIT'
}

/** The state of a TSI_S_* number; a number this table does not know stays visible as UNKNOWN_n. */
export function darwinTcpStateFromNumber(state: number): SocketState {
  return BY_NUMBER[state] ?? `UNKNOWN_${state}`
}

/** The state of a name `netstat` or `lsof` printed, or null when it is not a TCP state name. */
export function darwinTcpStateFromName(name: string): SocketState | null {
  return BY_NAME[name] ?? null
}
