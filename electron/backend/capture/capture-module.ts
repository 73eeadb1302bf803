/**
 * The capture domain: serves every `capture/*` channel. The live capture (live-capture.ts)
 * decodes each packet once and hands it both to the tick and to the shown capture
 * (capture-view.ts), which also holds imported files and answers the packet list, details,
 * conversations, streams, throughput, bandwidth, export and import.
 */
import type { BackendModuleFactory } from '../backend-module'
import type { CaptureHelperLaunchOptions } from './capture-helper-process'
import { CaptureView } from './capture-view'
import { LiveCapture } from './live-capture'

/** Names the capture domain's temporary folder in the data folder: `temporary-PID-XXXXXX`. */
export const CAPTURE_FOLDER_PREFIX = 'temporary'

/** Creates the capture domain; `helper` chooses how the capture helper runs (tests, packaging). */
export function createCaptureModule(helper: CaptureHelperLaunchOptions = {}): BackendModuleFactory {
  return (context) => {
    // The shown capture's bytes and exports hold captured payloads: they share one private
    // temporary folder in the data folder, made on first use and deleted on dispose or exit.
    const folder = context.data.temporaryFolder(CAPTURE_FOLDER_PREFIX)
    // A run that crashed left its folder behind; it goes now unless its process still runs.
    const leftoversRemoved = context.data.removeLeftovers(CAPTURE_FOLDER_PREFIX).catch(() => [])
    const view = new CaptureView(folder, {
      state: (state) => context.emit('capture/view-state', state),
      progress: (progress) => context.emit('capture/transfer-progress', progress)
    })
    const live = new LiveCapture(context, helper, (session) => view.followLive(session))

    return {
      handlers: {
        'capture/interfaces': () => live.interfaces(),
        'capture/check-filter': ({ interface: name, filter }) => live.checkFilter(name, filter),
        'capture/start': (request) => live.start(request),
        'capture/stop': () => live.stop(),
        'capture/status': () => live.status(),

        'capture/view-state': () => view.state(),
        'capture/packet-page': ({ start, count }) => view.packetPage(start, count),
        'capture/set-display-filter': ({ filter }) => view.setDisplayFilter(filter),
        'capture/packet-position': ({ index }) => view.packetPosition(index),
        'capture/packet-details': ({ index }) => view.packetDetails(index),
        'capture/conversations': ({ limit }) => view.conversations(limit),
        'capture/follow-stream': ({ conversationId, maxBytes }) => view.followStream(conversationId, maxBytes),
        'capture/throughput': ({ fromTime }) => view.throughput(fromTime),
        'capture/process-bandwidth': () => view.processBandwidth(),
        'capture/clear-view': () => view.clear(),

        'capture/export-begin': ({ format, scope, conversationId }) => view.exportBegin(format, scope, conversationId),
        'capture/export-chunk': ({ exportId, offset }) => view.exportChunk(exportId, offset),
        'capture/export-end': ({ exportId }) => view.exportEnd(exportId),
        'capture/import-begin': ({ fileName, size }) => view.importBegin(fileName, size),
        'capture/import-chunk': ({ importId, offset, data }) => view.importChunk(importId, offset, data),
        'capture/import-end': ({ importId }) => view.importEnd(importId)
      },
      async dispose() {
        await live.dispose()
        await view.dispose()
        await folder.remove()
        await leftoversRemoved
      }
    }
  }
}

/** The capture domain with the helper chosen from the environment (see capture-helper-process.ts). */
export const captureModule: BackendModuleFactory = createCaptureModule()
