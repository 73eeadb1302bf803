import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'electron-vite'

/** The version the CLI prints, taken from package.json when the build runs. */
const packageVersion = (JSON.parse(readFileSync(resolve(__dirname, 'package.json'), 'utf8')) as { version: string }).version

export default defineConfig({
  main: {
    define: { __SOCKSCOPE_VERSION__: JSON.stringify(packageVersion) },
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          // The desktop app's main process: windows, IPC wiring, menus, dialogs.
          index: resolve(__dirname, 'electron/main/index.ts'),
          // The `sockscope` command, web mode included.
          cli: resolve(__dirname, 'electron/cli/index.ts'),
          // The privileged capture helper: the only code that loads libpcap.
          'capture-helper': resolve(__dirname, 'electron/capture-helper/index.ts')
        },
        // The backend's index only re-exports. Marked free of side effects, an import through it
        // links straight to the module that defines the name, so each lazily loaded CLI command
        // gets a chunk with just the backend code it uses instead of one chunk of everything.
        treeshake: { moduleSideEffects: [{ test: /electron\/backend\/index\.ts$/, sideEffects: false }] },
        output: { banner: (chunk) => (chunk.name === 'cli' ? '#!/usr/bin/env node' : '') }
      }
    }
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload cannot require packages, so everything it uses is bundled in.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(__dirname, 'electron/preload/index.ts') }
      }
    }
  },
  renderer: {
    root: 'renderer',
    plugins: [vue()],
    build: {
      outDir: 'out/renderer',
      rollupOptions: {
        input: { index: resolve(__dirname, 'renderer/index.html') }
      }
    }
  }
})
