/**
 * Where the processes of the Processes tab sit in the process tree: the ancestors of each pid it
 * shows, asked of the backend (`processes/lineage`) when a pid appears that was not asked about,
 * and again now and then, since a process whose parent exits gets a new one. And which processes
 * are sockscope's own (`processes/own`), for the socket table to mark, asked every few seconds as
 * capture helpers and other sockscope processes come and go.
 */
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { MAX_LINEAGE_PIDS } from '../../../shared/contract/processes'
import type { OwnProcess } from '../../../shared/model/processes'
import { errorMessage } from '../../../shared/error-message'
import { readSetting, writeSetting } from '../persisted-setting'
import { backendClient } from '../transport'

/** Where the choice between a flat list and a tree is kept between visits. */
export const TREE_SETTING = 'sockscope.processes.tree'

/** Known ancestors are asked for again after this long, in case a parent exited. */
const LINEAGE_REFRESH_MS = 10_000
/** How often sockscope's own processes are asked for again. */
const OWN_REFRESH_MS = 3000

/** Ancestors by pid, nearest first, for the pids the tree asked about. */
export const useProcessesStore = defineStore('processes', () => {
  const ancestors = shallowRef<ReadonlyMap<number, readonly number[]>>(new Map())
  const lineageError = ref<string | null>(null)
  /** sockscope's own processes by pid. */
  const own = shallowRef<ReadonlyMap<number, OwnProcess>>(new Map())
  let followingOwn = false
  /** True when the Processes tab shows children under their parents; false for one flat list. */
  const treeView = ref(readSetting(TREE_SETTING) === true)
  let askedAt = 0
  let asking = false
  /** Pids asked about while a request was on its way, so the newest set is asked once it answers. */
  let waiting: readonly number[] | null = null

  /** Makes sure the ancestors of `pids` are known: asks when one is new, or when the answer is old. */
  async function followLineage(pids: readonly number[]): Promise<void> {
    const known = ancestors.value
    const fresh = Date.now() - askedAt < LINEAGE_REFRESH_MS
    if (fresh && pids.every((pid) => known.has(pid))) return
    if (asking) {
      waiting = pids
      return
    }
    asking = true
    try {
      const asked = pids.slice(0, MAX_LINEAGE_PIDS)
      const answer = await backendClient().request('processes/lineage', { pids: asked })
      ancestors.value = new Map(answer.map((lineage) => [lineage.pid, lineage.ancestors]))
      askedAt = Date.now()
      lineageError.value = null
    } catch (failure) {
      lineageError.value = errorMessage(failure)
      // Not asked again before the refresh time: a failing backend is not hammered every tick.
      askedAt = Date.now()
    } finally {
      asking = false
    }
    const next = waiting
    waiting = null
    if (next !== null) await followLineage(next)
  }

  async function loadOwn(): Promise<void> {
    try {
      const answer = await backendClient().request('processes/own', {})
      own.value = new Map(answer.map((process) => [process.pid, process]))
    } catch {
      // Unmarked rows are the only loss; the next ask may work.
    }
  }

  /** Keeps `own` current from now on; safe to call more than once. */
  function followOwn(): void {
    if (followingOwn) return
    followingOwn = true
    void loadOwn()
    setInterval(() => void loadOwn(), OWN_REFRESH_MS)
  }

  function setTreeView(tree: boolean): void {
    treeView.value = tree
    writeSetting(TREE_SETTING, tree)
  }

  return { ancestors, lineageError, treeView, own, followLineage, followOwn, setTreeView }
})
