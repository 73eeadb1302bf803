/**
 * Every domain the backend serves, keyed by its channel prefix. A domain `x` has its channels in
 * `shared/contract/x.ts` and its module in `x/x-module.ts`; a new domain adds its factory here.
 */
import type { Domain } from '../../shared/contract'
import type { BackendModuleFactory } from './backend-module'
import { socketsModule } from './sockets/sockets-module'
import { dnsModule } from './dns/dns-module'
import { captureModule } from './capture/capture-module'
import { probeModule } from './probe/probe-module'
import { listenerModule } from './listener/listener-module'
import { holderModule } from './holder/holder-module'
import { historyModule } from './history/history-module'
import { leaksModule } from './leaks/leaks-module'
import { recordingModule } from './recording/recording-module'
import { eventsModule } from './events/events-module'
import { actionsModule } from './actions/actions-module'
import { auditModule } from './audit/audit-module'
import { focusModule } from './focus/focus-module'
import { portsModule } from './ports/ports-module'
import { processesModule } from './processes/processes-module'

/** The domains, in start order (they stop in the reverse order). */
export const backendModules: Readonly<Record<Domain, BackendModuleFactory>> = {
  sockets: socketsModule,
  dns: dnsModule,
  capture: captureModule,
  probe: probeModule,
  listener: listenerModule,
  holder: holderModule,
  history: historyModule,
  leaks: leaksModule,
  recording: recordingModule,
  events: eventsModule,
  actions: actionsModule,
  audit: auditModule,
  focus: focusModule,
  ports: portsModule,
  processes: processesModule
}
