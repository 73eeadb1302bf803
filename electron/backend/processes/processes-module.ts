/**
 * The processes domain: where the processes the tables show sit in the process tree, from one
 * list of every process, read at most once a second whatever the number of clients asking.
 */
import type { BackendModuleFactory } from '../backend-module'
import { createSystemReader } from '../platform/create-platform'
import type { ProcessStatus } from '../platform/platform'
import { lineageOf } from './process-lineage'

/** How long one list of processes answers further requests. */
const LIST_REUSE_MS = 1000

/** Serves `processes/lineage`. */
export const processesModule: BackendModuleFactory = () => {
  const system = createSystemReader()
  let listed: { readonly at: number; readonly processes: Promise<ProcessStatus[]> } | null = null

  const processes = (): Promise<ProcessStatus[]> => {
    const now = Date.now()
    if (listed === null || now - listed.at >= LIST_REUSE_MS) listed = { at: now, processes: system.listProcesses().catch(() => []) }
    return listed.processes
  }

  return {
    handlers: {
      'processes/lineage': async ({ pids }) => lineageOf(await processes(), pids)
    }
  }
}
