/** Every domain the backend serves. A new domain adds its factory here. */
import type { BackendModuleFactory } from './backend-module'
import { socketsModule } from './sockets/sockets-module'
import { captureModule } from './capture/capture-module'
import { probeModule } from './probes/probe-module'
import { historyModule } from './history/history-module'

/** The domains, in start order. */
export const backendModules: readonly BackendModuleFactory[] = [socketsModule, captureModule, probeModule, historyModule]
