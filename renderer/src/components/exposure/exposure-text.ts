/** How the Exposure view and the Processes tab's cards word a listener's reach and TLS status. */
import type { AuditListener } from '../../../../shared/model/audit'

/** "loopback", "this interface", "every interface". */
export function reachLabel(listener: Pick<AuditListener, 'reach'>): string {
  return listener.reach === 'all' ? 'every interface' : listener.reach === 'interface' ? 'one interface' : 'loopback'
}

/** "TLSv1.3, 42 days left", "cleartext", "not TLS", "not probed", or empty when the run did not probe. */
export function tlsLabel(listener: Pick<AuditListener, 'tls' | 'tlsVerdict'>): string {
  if (listener.tlsVerdict === null) return ''
  if (listener.tls?.speaksTls) {
    const days = listener.tls.daysLeft
    return `${listener.tls.version ?? 'TLS'}${days === null ? '' : days < 0 ? ', expired' : `, ${days} day${days === 1 ? '' : 's'} left`}`
  }
  return listener.tlsVerdict === 'cleartext' ? 'cleartext' : listener.tlsVerdict === 'not-tls' ? 'not TLS' : 'not probed'
}
