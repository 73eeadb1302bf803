/**
 * Bundles a TypeScript entry into one CommonJS file for plain `node`, the way the app's main build
 * treats the backend: everything inlined except koffi, which stays a runtime `require` (its
 * native binary cannot be bundled). Used where code must run outside the test runner, as another
 * user or timed without the runner's module shims.
 */
import { basename, dirname, resolve } from 'node:path'
import { build } from 'vite'

const projectRoot = resolve(__dirname, '../..')

/** Writes the bundle of `entry` to `outputFile` (folders are created). */
export async function bundleForNode(entry: string, outputFile: string): Promise<void> {
  await build({
    configFile: false,
    logLevel: 'silent',
    root: projectRoot,
    build: {
      ssr: entry,
      outDir: dirname(outputFile),
      emptyOutDir: false,
      minify: false,
      rollupOptions: { external: ['koffi'], output: { format: 'cjs', entryFileNames: basename(outputFile) } }
    }
  })
}
