/** The tabs of the main window. A new view adds one entry here. */
import { defineAsyncComponent, type Component } from 'vue'
import type { ViewId } from '../stores/layout'

/** A tab: its id, its title and the component it shows. */
export interface ViewEntry {
  readonly id: ViewId
  readonly title: string
  readonly component: Component
}

/** The views in tab order. */
export const views: readonly ViewEntry[] = [
  { id: 'sockets', title: 'Sockets', component: defineAsyncComponent(() => import('./SocketsView.vue')) },
  { id: 'processes', title: 'Processes', component: defineAsyncComponent(() => import('./ProcessesView.vue')) },
  { id: 'closed', title: 'Closed connections', component: defineAsyncComponent(() => import('./ClosedConnectionsView.vue')) },
  { id: 'capture', title: 'Capture', component: defineAsyncComponent(() => import('./CaptureView.vue')) },
  { id: 'probe', title: 'Probe', component: defineAsyncComponent(() => import('./ProbeView.vue')) },
  { id: 'exposure', title: 'Exposure', component: defineAsyncComponent(() => import('./ExposureView.vue')) },
  { id: 'charts', title: 'Charts', component: defineAsyncComponent(() => import('./ChartsView.vue')) },
  { id: 'focus', title: 'Process focus', component: defineAsyncComponent(() => import('./FocusView.vue')) },
  { id: 'ports', title: 'Port helper', component: defineAsyncComponent(() => import('./PortsView.vue')) }
]
