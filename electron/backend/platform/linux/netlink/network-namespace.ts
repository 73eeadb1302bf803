/**
 * Opening a socket inside another network namespace (a container's), from the main thread.
 *
 * A socket belongs to the namespace of the thread that created it, for its whole life. So the
 * thread steps into the target namespace (setns), creates the socket, and steps straight back;
 * the socket then keeps answering for the target while everything else runs at home. Only the
 * calling thread moves, and only for the synchronous `create` call, so no other code runs
 * while it is away.
 */
import { closeSync, openSync, readlinkSync } from 'node:fs'
import { networkNamespaceInode } from '../network-namespaces'
import { NetlinkSystemError, setThreadNetworkNamespace } from './netlink-socket'

/** The calling thread's own network namespace. */
const OWN_NAMESPACE = '/proc/thread-self/ns/net'

/** Thrown when the thread could not return home: the process must not keep opening sockets. */
export class NamespaceReturnError extends Error {
  constructor(cause: unknown) {
    super(`could not return to the original network namespace: ${cause instanceof Error ? cause.message : String(cause)}`)
    this.name = 'NamespaceReturnError'
  }
}

/** Set once a return failed; every later attempt refuses instead of working in the wrong place. */
let stranded: NamespaceReturnError | null = null

/**
 * Runs `create` with the calling thread inside the network namespace at `namespacePath` (such as
 * `/proc/PID/ns/net`) and returns what it returned. The thread is back in its own namespace
 * when this returns or throws, whatever `create` did.
 *
 * Needs CAP_SYS_ADMIN. Throws a clear error when the path cannot be opened, is not a network
 * namespace, or entering it is not allowed.
 */
export function inNetworkNamespace<Result>(namespacePath: string, create: () => Result): Result {
  if (stranded !== null) throw stranded
  const home = openNamespace(OWN_NAMESPACE)
  let target: number
  try {
    target = openNamespace(namespacePath)
  } catch (error) {
    closeSync(home)
    throw error
  }
  try {
    try {
      setThreadNetworkNamespace(target)
    } catch (error) {
      throw describeEntryFailure(error, namespacePath)
    }
    let outcome: { readonly value: Result } | { readonly error: unknown }
    try {
      outcome = { value: create() }
    } catch (error) {
      outcome = { error }
    }
    try {
      setThreadNetworkNamespace(home)
    } catch (error) {
      // Staying in the wrong namespace is worse than whatever `create` did, so this wins.
      stranded = new NamespaceReturnError(error)
      throw stranded
    }
    if ('error' in outcome) throw outcome.error
    return outcome.value
  } finally {
    closeSync(target)
    closeSync(home)
  }
}

/** The inode that names the calling thread's network namespace (what `ls -l /proc/PID/ns/net` shows). */
export function currentNetworkNamespaceInode(): number {
  return namespaceInode(OWN_NAMESPACE)
}

/** The inode naming the namespace at a path such as `/proc/PID/ns/net`; throws when unreadable. */
export function namespaceInode(namespacePath: string): number {
  const link = readlinkSync(namespacePath)
  const inode = networkNamespaceInode(link)
  if (inode === null) throw new Error(`${namespacePath} is not a network namespace (${link})`)
  return inode
}

function openNamespace(path: string): number {
  try {
    return openSync(path, 'r')
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : ''
    if (code === 'ENOENT' || code === 'ESRCH') throw new Error(`network namespace ${path} does not exist (its process may have exited)`, { cause: error })
    if (code === 'EACCES' || code === 'EPERM') throw new Error(`network namespace ${path} cannot be opened: permission denied (needs root)`, { cause: error })
    throw new Error(`network namespace ${path} cannot be opened: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
  }
}

function describeEntryFailure(error: unknown, path: string): Error {
  if (!(error instanceof NetlinkSystemError)) return error instanceof Error ? error : new Error(String(error))
  if (error.code === 'EPERM') return new Error(`entering network namespace ${path} needs CAP_SYS_ADMIN (run as root)`)
  if (error.code === 'EINVAL') return new Error(`${path} is not a network namespace`)
  return new Error(`entering network namespace ${path} failed: ${error.code}`)
}
