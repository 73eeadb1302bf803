/**
 * The processes domain: where the processes the tables show sit in the process tree, and which
 * of them are sockscope's own, from one list of every process, read at most once a second
 * whatever the number of clients asking.
 */
import { dirname, resolve } from 'node:path'
import type { BackendModuleFactory } from '../backend-module'
import { createSystemReader } from '../platform/create-platform'
import type { ProcessStatus } from '../platform/platform'
import { ownProcesses } from './own-processes'
import { lineageOf } from './process-lineage'

/** How long one list of processes answers further requests. */
const LIST_REUSE_MS = 1000

/** The folder of the script this process runs (the build's `out/main` for the CLI), or null. */
function programFolder(): string | null {
  const script = process.argv[1]
  return script === undefined || !script.endsWith('.js') ? null : dirname(resolve(script))
}

/** Serves `processes/lineage` and `processes/own`. */
export const processesModule: BackendModuleFactory = (context) => {
  const system = createSystemReader()
  const folder = programFolder()
  let listed: { readonly at: number; readonly processes: Promise<ProcessStatus[]> } | null = null

  const processes = (): Promise<ProcessStatus[]> => {
    const now = Date.now()
    if (listed === null || now - listed.at >= LIST_REUSE_MS) listed = { at: now, processes: system.listProcesses().catch(() => []) }
    return listed.processes
  }

  return {
    handlers: {
      'processes/lineage': async ({ pids }) => lineageOf(await processes(), pids),
      'processes/own': async () => ownProcesses({ self: process.pid, processes: await processes(), sockets: context.sockets.current().sockets, programFolder: folder })
    }
  }
}
