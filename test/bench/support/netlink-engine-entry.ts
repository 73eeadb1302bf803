/**
 * What the netlink benchmark times, bundled the way the app's build bundles the backend (with
 * vite, koffi left external), so module shims of the TypeScript runner do not weigh on
 * the decoders: the netlink engine and, as the in-process reference, the /proc/net parser.
 */
export { CloseEventSubscription } from '../../../electron/backend/platform/linux/netlink/close-events'
export { INET_DIAG_EXTENSIONS } from '../../../electron/backend/platform/linux/netlink/inet-diag'
export { SocketDiagnostics } from '../../../electron/backend/platform/linux/netlink/socket-diagnostics'
export { parseInetTable } from '../../../electron/backend/platform/linux/proc-net-parser'
