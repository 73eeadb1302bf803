/*
 * The processes domain in a backend in this process, on real processes: a child started by a
 * child of this test has both as its ancestors, nearest first; a pid that is gone has none, and a
 * request naming too many pids or a pid no OS hands out is refused.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { afterEach, describe, expect, it } from 'vitest'
import { createBackend, type Backend } from '../../../../electron/backend/backend'
import { MAX_LINEAGE_PIDS } from '../../../../shared/contract/processes'
import { ask, refusal } from '../../../support/backend-requests'

/** A node process that starts one child of its own and prints that child's pid. */
const parentSource = `
const { spawn } = require('node:child_process')
const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })
process.stdout.write(child.pid + '\\n')
process.on('SIGTERM', () => { child.kill('SIGKILL'); process.exit(0) })
setInterval(() => {}, 1000)
`

describe.skipIf(process.platform !== 'linux')('the processes module', () => {
  let backend: Backend | null = null
  let parent: ChildProcess | null = null
  afterEach(async () => {
    await backend?.dispose()
    backend = null
    if (parent !== null && parent.exitCode === null) {
      parent.kill('SIGTERM')
      await once(parent, 'exit')
    }
    parent = null
  })

  it('answers the ancestors of each pid, nearest first', async () => {
    parent = spawn(process.execPath, ['-e', parentSource], { stdio: ['ignore', 'pipe', 'inherit'] })
    const [line] = (await once(parent.stdout!, 'data')) as [Buffer]
    const grandchild = Number(line.toString().trim())
    backend = createBackend({ autoStart: false, resolveNames: false })

    const [ofGrandchild, ofParent] = await ask(backend, 'processes/lineage', { pids: [grandchild, parent.pid!] })
    expect(ofGrandchild).toEqual({ pid: grandchild, ancestors: expect.arrayContaining([parent.pid, process.pid]) })
    expect(ofGrandchild?.ancestors.slice(0, 2)).toEqual([parent.pid, process.pid])
    expect(ofParent?.ancestors[0]).toBe(process.pid)
    expect(ofParent?.ancestors.at(-1)).toBe(1)

    parent.kill('SIGTERM')
    await once(parent, 'exit')
    // The list is reused for a second; after that a gone process has no ancestors.
    await new Promise((resolve) => setTimeout(resolve, 1100))
    expect(await ask(backend, 'processes/lineage', { pids: [parent.pid!] })).toEqual([{ pid: parent.pid, ancestors: [] }])
  })

  it(`refuses more than ${MAX_LINEAGE_PIDS} pids and pids no OS hands out`, async () => {
    backend = createBackend({ autoStart: false, resolveNames: false })
    expect(await ask(backend, 'processes/lineage', { pids: Array.from({ length: MAX_LINEAGE_PIDS }, (_, index) => index + 1) })).toHaveLength(MAX_LINEAGE_PIDS)
    expect((await refusal(backend, 'processes/lineage', { pids: Array.from({ length: MAX_LINEAGE_PIDS + 1 }, (_, index) => index + 1) })).code).toBe('invalid-arguments')
    expect((await refusal(backend, 'processes/lineage', { pids: [0] })).code).toBe('invalid-arguments')
    expect((await refusal(backend, 'processes/lineage', { pids: [1.5] })).code).toBe('invalid-arguments')
  })
})
