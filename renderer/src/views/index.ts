/** The tabs of the main window. A new view adds one entry here. */
import { defineAsyncComponent, type Component } from 'vue'
import ViewLoading from '../components/ViewLoading.vue'
import type { ViewId } from '../stores/layout'

/** A tab: its id, its title and the component it shows. */
export interface ViewEntry {
  readonly id: ViewId
  readonly title: string
  readonly component: Component
}

type ViewModule = Promise<{ default: Component }>

/** Each view's code, a chunk of its own so the first table paints before the charts library loads. */
const viewLoaders: Readonly<Record<ViewId, () => ViewModule>> = {
  sockets: () => import('./SocketsView.vue'),
  processes: () => import('./ProcessesView.vue'),
  closed: () => import('./ClosedConnectionsView.vue'),
  capture: () => import('./CaptureView.vue'),
  probe: () => import('./ProbeView.vue'),
  exposure: () => import('./ExposureView.vue'),
  charts: () => import('./ChartsView.vue'),
  focus: () => import('./FocusView.vue'),
  ports: () => import('./PortsView.vue')
}

/** The longest wait between two attempts to load a view whose code could not be fetched. */
const MAX_RETRY_DELAY_MS = 5000

/**
 * A view loaded on demand that never renders blank: while its code is on its way (or cannot be
 * fetched because the server is gone) it shows a notice, and it tries again until it loads.
 */
function lazyView(load: () => ViewModule): Component {
  return defineAsyncComponent({
    loader: load,
    loadingComponent: ViewLoading,
    delay: 0,
    onError(_error, retry, _fail, attempts) {
      setTimeout(retry, Math.min(250 * 2 ** attempts, MAX_RETRY_DELAY_MS))
    }
  })
}

/** The views in tab order. */
export const views: readonly ViewEntry[] = [
  { id: 'sockets', title: 'Sockets', component: lazyView(viewLoaders.sockets) },
  { id: 'processes', title: 'Processes', component: lazyView(viewLoaders.processes) },
  { id: 'closed', title: 'Closed connections', component: lazyView(viewLoaders.closed) },
  { id: 'capture', title: 'Capture', component: lazyView(viewLoaders.capture) },
  { id: 'probe', title: 'Probe', component: lazyView(viewLoaders.probe) },
  { id: 'exposure', title: 'Exposure', component: lazyView(viewLoaders.exposure) },
  { id: 'charts', title: 'Charts', component: lazyView(viewLoaders.charts) },
  { id: 'focus', title: 'Process focus', component: lazyView(viewLoaders.focus) },
  { id: 'ports', title: 'Port helper', component: lazyView(viewLoaders.ports) }
]

/**
 * Fetches every view's code now, so a tab first opened after the server went away still has it.
 * True once every view is loaded; a view that failed here is fetched again when its tab opens.
 */
export async function preloadViews(): Promise<boolean> {
  const outcomes = await Promise.allSettled(Object.values(viewLoaders).map((load) => load()))
  return outcomes.every((outcome) => outcome.status === 'fulfilled')
}
