/**
 * `npm run bench`: runs every test/bench/*-bench.ts module in turn. Each prints its figures as
 * ratios against the reference tool measured in the same run, because absolute times on a shared
 * machine mean little.
 */
import { readdirSync } from 'node:fs'
import { join } from 'node:path'

interface BenchmarkModule {
  runBenchmark(report: (line: string) => void): Promise<void>
}

async function main(): Promise<void> {
  const only = process.argv[2]
  const files = readdirSync(__dirname)
    .filter((name) => name.endsWith('-bench.ts'))
    .filter((name) => !only || name.startsWith(only))
    .sort()
  for (const file of files) {
    console.log(`\n== ${file.replace(/-bench\.ts$/, '')} ==`)
    const module = (await import(join(__dirname, file))) as BenchmarkModule
    const started = performance.now()
    await module.runBenchmark((line) => console.log(line))
    console.log(`(${((performance.now() - started) / 1000).toFixed(1)} s)`)
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  }
)
