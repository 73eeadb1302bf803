/**
 * This test process's own children, read from /proc, so a test can count the helper processes
 * the code under test really started (and still has running).
 */
import { readdir, readFile } from 'node:fs/promises'

/** The pids of this process's live children whose command line contains `needle`. */
export async function childProcessesMatching(needle: string): Promise<number[]> {
  const children: number[] = []
  // Children are listed per thread of the parent; a thread that ended meanwhile is skipped.
  for (const thread of await readdir(`/proc/${process.pid}/task`)) {
    const text = await readFile(`/proc/${process.pid}/task/${thread}/children`, 'utf8').catch(() => '')
    for (const word of text.split(' ')) if (word.trim() !== '') children.push(Number(word))
  }
  const matching: number[] = []
  for (const pid of children) {
    // A child that already exited has no command line (or no entry at all).
    const commandLine = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
    if (commandLine.replaceAll('\0', ' ').includes(needle)) matching.push(pid)
  }
  return matching
}

/**
 * Samples the children matching `needle` every few milliseconds while `work` runs; resolves with
 * its result and the most seen alive at once.
 */
export async function peakChildProcesses<T>(needle: string, work: () => Promise<T>): Promise<{ readonly result: T; readonly peak: number }> {
  let peak = 0
  let running = true
  const sampler = (async () => {
    while (running) {
      peak = Math.max(peak, (await childProcessesMatching(needle)).length)
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  })()
  try {
    return { result: await work(), peak }
  } finally {
    running = false
    await sampler
  }
}
