/**
 * The backend's public surface: everything the desktop shell (electron/main), the CLI and web
 * mode (`sockscope serve`) use. Nothing outside electron/backend imports a file inside it; a new
 * need is exported here, so the boundary stays one file long. Each name is documented where it
 * is defined.
 */

/** The backend itself: every domain behind one `handle(channel, args)` and one event stream. */
export { createBackend, type Backend } from './backend'
/** The host's rule for targets beyond this machine, and the question the desktop app asks about them. */
export { remoteTargetText, type ActionPolicy, type RemoteTargetAnswer, type RemoteTargetQuestion } from './action-policy'

/** Closing connections and stopping processes: the host's rule, the question the desktop app asks, and the action log. */
export { STOP_GRACE_SECONDS, type SystemActionPolicy, type SystemActionQuestion } from './actions/system-action-gate'
export { closeConnection } from './actions/close-connection'
export { ActionLog } from './actions/action-log'
export { createSystemActions } from './platform/create-platform'

/** Web mode: the loopback HTTP and WebSocket server over a backend, and the built renderer it serves. */
export { startWebServer } from './web/web-server'
export { DEFAULT_WEB_CLIENT_LIMITS } from './web/web-client'
export { isLoopbackHost } from './web/loopback'
export { rendererDirectory } from './app-paths'
export { newAccessToken } from './web/access-token'

/** Metrics for Prometheus: the newest tick as OpenMetrics text, in web mode and the headless exporter. */
export { MetricsSource, followBackend } from './metrics/metrics-source'
export { DEFAULT_METRICS_TOP, MAXIMUM_METRICS_TOP } from './metrics/metric-families'
export { startMetricsExporter } from './web/metrics-exporter'

/** The data folder: where settings, recordings and temporary capture files live, kept private. */
export { chooseDataDirectory, DATA_DIRECTORY_VARIABLE, type DataDirectorySource } from './storage/data-directory'
export { PrivateFolder, readPrivateFile, TemporaryFolder, UnsafeFolderError } from './storage/private-folder'
export { openForWriting } from './storage/safe-open'

/** The live socket table: one OS provider polled by a monitor that turns reads into diffs. */
export { createSocketProvider, createSystemReader } from './platform/create-platform'
export type { SocketProvider } from './platform/platform'
export { SocketMonitor } from './sockets/socket-monitor'
export { ReverseResolver } from './dns/reverse-resolver'

/** Closed connections: the OS's close events joined to the live table, as `sockscope events` follows them. */
export { createCloseEventSource } from './platform/create-platform'
export { CloseEventRecorder, type CloseEventRecorderListener, type CloseEventRecorderOptions } from './events/close-event-recorder'
export { ConnectionChurnWindow } from './events/connection-churn'

/** History, leak detection and recordings, as `watch`, `check` and `diff` run them without a backend. */
export { HistorySession, type SessionTick } from './history/history-session'
export { HistoryFollower } from './history/history-follower'
export { measureGrowth } from './leaks/growth-rule'
export { RecordingWriter } from './recording/recording-writer'
export { openRecording } from './recording/recording-reader'
export { parseRecordingTime } from './recording/recording-time'
export { diffToCsv, exportDiff } from './recording/table-export'

/** `sockscope run`: a command's process tree watched to its end, phase marks over a private socket, and the bounds it is judged by. */
export { RunWatch } from './run/run-watch'
export { type RunBounds } from './run/run-assertions'
export { runLeakSettings } from './run/run-settings'
export { MARK_SOCKET_VARIABLE, MarkServer, sendMark } from './run/mark-channel'

/** The port helper: who holds a local port and what an EADDRINUSE on it means, as `sockscope port` reads it. */
export { describePort, portsInUse } from './ports/port-report'

/** Test connections run straight from the command line: no remote-target gate, the user typed them. */
export { runTcpProbe } from './probe/tcp-probe'
export { runTlsProbe } from './probe/tls-probe'
export { runUdpProbe } from './probe/udp-probe'
export { startRepeatedProbe } from './probe/repeated-probe'
export { TestListener } from './listener/test-listener'

/** The exposure audit: every listener's reach, service and warnings, with the opt-in TLS check, as `sockscope audit` runs it. */
export { runExposureAudit } from './audit/exposure-audit'

/** Capture: the privileged helper, capture to a file, and reading capture files. */
export { CaptureError, listCaptureInterfaces } from './capture/capture-helper-process'
export { captureToFile, type CaptureToFileResult } from './capture/capture-to-file'
export { CaptureFileReader } from './capture/files/capture-file-reader'
export { CaptureSummaryBuilder, type CaptureTotals } from './capture/analysis/capture-summary'
export type { TcpAnalyzer } from './capture/analysis/tcp-analysis'
export { readRecordHeaders, summarizePacket } from './capture/decode/packet-decoder'
export { PacketHeaders } from './capture/decode/header-scan'
