/**
 * What the close and stop actions ask of the OS: closing a TCP connection, and reading and
 * signalling processes. Linux has both; elsewhere every action answers that it is unsupported.
 */
import { closeTcpConnection, type CloseConnectionOutcome, type TcpConnectionTarget } from './linux/close-tcp-connection'
import { ProcessControl, type ProcessStatus, type SignalOutcome } from './linux/process-control'

export type { CloseConnectionOutcome, TcpConnectionTarget, ProcessStatus, SignalOutcome }

/** The OS side of sockscope's actions on the system. */
export interface SystemActionsPlatform {
  /** Null when this OS cannot close connections or stop processes yet. */
  readonly unsupported: string | null
  closeTcpConnection(target: TcpConnectionTarget): CloseConnectionOutcome
  /** Null when there is no such process. */
  processStatus(pid: number): ProcessStatus | null
  /** True while the process exists and has not exited. */
  isRunning(pid: number): boolean
  ancestorsOf(pid: number): number[]
  descendantsOf(pid: number): number[]
  signal(pid: number, signal: 'SIGTERM' | 'SIGKILL'): SignalOutcome
}

/** The actions of the OS this process runs on (or the one named). */
export function createSystemActionsPlatform(name: string = process.platform): SystemActionsPlatform {
  if (name === 'linux') {
    const processes = new ProcessControl()
    return {
      unsupported: null,
      closeTcpConnection: (target) => closeTcpConnection(target),
      processStatus: (pid) => processes.status(pid),
      isRunning: (pid) => processes.isRunning(pid),
      ancestorsOf: (pid) => processes.ancestorsOf(pid),
      descendantsOf: (pid) => processes.descendantsOf(pid),
      signal: (pid, signal) => processes.signal(pid, signal)
    }
  }
  const unsupported = `closing connections and stopping processes is not supported yet on ${name}`
  return {
    unsupported,
    closeTcpConnection: () => ({ closed: false, reason: 'unsupported', message: unsupported }),
    processStatus: () => null,
    isRunning: () => false,
    ancestorsOf: () => [],
    descendantsOf: () => [],
    signal: () => 'not-permitted'
  }
}
