/** Where the capture library cannot honour promiscuous mode, so the form says so before a capture starts. */

/**
 * Why promiscuous mode cannot apply to an interface, or null when it can. libpcap on Linux opens
 * the `any` pseudo-interface without it (it only warns), so asking for it there would be a box
 * that does nothing.
 */
export function promiscuousUnsupportedReason(interfaceName: string): string | null {
  if (interfaceName === 'any') return 'The "any" pseudo-interface cannot capture in promiscuous mode; choose one interface to use it.'
  return null
}
