/*
 * Closing a connection fails for two reasons a user can fix, and the message must say which:
 * the capability (EPERM: run as root) or the kernel option (EOPNOTSUPP: a kernel built without
 * CONFIG_INET_DIAG_DESTROY). This kernel has the option, so the kernel's refusal is replayed as
 * the acknowledgement it would send.
 */
import { describe, expect, it } from 'vitest'
import { readAcknowledgement } from '../../../../../../electron/backend/platform/linux/netlink/diag-reply'
import { encodeNetlinkMessage, NLMSG_ERROR, writeUint32 } from '../../../../../../electron/backend/platform/linux/netlink/netlink-message'
import { destroyOutcome } from '../../../../../../electron/backend/platform/linux/netlink/socket-diagnostics'

/** The kernel's NLMSG_ERROR acknowledgement of request `sequence`: a negative errno, then the request's header. */
function acknowledgement(sequence: number, errno: number): Uint8Array {
  const payload = new Uint8Array(4 + 16)
  writeUint32(payload, 0, -errno >>> 0)
  return encodeNetlinkMessage({ type: NLMSG_ERROR, flags: 0, sequence }, payload)
}

function outcomeOf(errno: number) {
  const ack = acknowledgement(7, errno)
  return destroyOutcome(readAcknowledgement(ack, ack.length, 7)!)
}

describe('destroyOutcome', () => {
  it('a kernel without CONFIG_INET_DIAG_DESTROY (EOPNOTSUPP) is named as the kernel option, not the capability', () => {
    expect(outcomeOf(95)).toEqual({
      closed: false,
      reason: 'kernel-without-destroy',
      code: 'EOPNOTSUPP',
      message: 'this kernel cannot close sockets: it was built without CONFIG_INET_DIAG_DESTROY'
    })
  })

  it('a caller without CAP_NET_ADMIN (EPERM) is told to run as root', () => {
    expect(outcomeOf(1)).toEqual({
      closed: false,
      reason: 'needs-cap-net-admin',
      code: 'EPERM',
      message: 'closing a connection needs CAP_NET_ADMIN (run sockscope as root)'
    })
  })

  it('a plain acknowledgement is a close; a missing socket is gone; anything else keeps its errno name', () => {
    expect(outcomeOf(0)).toEqual({ closed: true })
    expect(outcomeOf(2)).toMatchObject({ closed: false, reason: 'already-gone', code: 'ENOENT' })
    expect(outcomeOf(22)).toEqual({ closed: false, reason: 'failed', code: 'EINVAL', message: 'the kernel refused to close the connection (EINVAL)' })
  })
})
