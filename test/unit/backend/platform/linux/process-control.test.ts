/**
 * The stop action's view of processes: the status, ancestor chain and descendants of real
 * processes (the /proc/PID/stat parser has its own tests in proc-stat.test.ts).
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { afterEach, describe, expect, it } from 'vitest'
import { ProcessControl } from '../../../../../electron/backend/platform/linux/process-control'

describe.skipIf(process.platform !== 'linux')('ProcessControl on this machine', () => {
  const control = new ProcessControl()
  const children: ReturnType<typeof spawn>[] = []
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL')
  })

  it('names this process, walks its ancestors up to init, and finds a grandchild among its descendants', async () => {
    expect(control.status(process.pid)).toMatchObject({ pid: process.pid, parentPid: process.ppid })
    const ancestors = control.ancestorsOf(process.pid)
    expect(ancestors[0]).toBe(process.ppid)
    expect(ancestors.at(-1)).toBe(1)

    // bash starts sleep as its child, so sleep is this process's grandchild.
    const child = spawn('bash', ['-c', 'sleep 60 & echo $!; wait'], { stdio: ['ignore', 'pipe', 'ignore'] })
    children.push(child)
    const [line] = (await once(child.stdout!, 'data')) as [Buffer]
    const grandchild = Number(line.toString().trim())
    expect(control.descendantsOf(process.pid)).toEqual(expect.arrayContaining([child.pid, grandchild]))
    expect(control.ancestorsOf(grandchild).slice(0, 2)).toEqual([child.pid, process.pid])
    expect(control.isRunning(grandchild)).toBe(true)
  })

  it('tells a finished process from a running one, and never signals pid 0, 1 or a negative pid', async () => {
    const child = spawn(process.execPath, ['-e', '0'])
    await once(child, 'exit')
    expect(control.isRunning(child.pid!)).toBe(false)
    for (const pid of [0, 1, -1]) expect(() => control.signal(pid, 'SIGTERM')).toThrow(RangeError)
  })
})
