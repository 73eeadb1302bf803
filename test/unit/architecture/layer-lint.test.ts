/**
 * The README's promises about imports, as `npm run lint` holds them: the backend, shared code and
 * the renderer never import Electron; shared code and the renderer import no Node built-in;
 * components and views never import the transport; the CLI and the desktop shell reach the backend
 * only through electron/backend/index.ts. Each case is linted with the project's own ESLint config
 * as if it were a file at the given path.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ESLint } from 'eslint'
import { beforeAll, describe, expect, it } from 'vitest'

const root = join(__dirname, '../../..')
let eslint: ESLint

beforeAll(() => {
  eslint = new ESLint({ cwd: root })
})

/** Every message ESLint gives `code` as the file at `path` (repository-relative). */
async function lint(path: string, code: string): Promise<{ ruleId: string | null; line: number; message: string }[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, path) })
  expect(result, path).toBeDefined()
  return result!.messages.map(({ ruleId, line, message }) => ({ ruleId, line, message }))
}

/** The layer rule's findings for `code` at `path`, with nothing else wrong in it. */
async function layerFindings(path: string, code: string): Promise<{ line: number; message: string }[]> {
  const messages = await lint(path, code)
  expect(
    messages.filter((message) => message.ruleId !== 'layers/imports'),
    path
  ).toEqual([])
  return messages.map(({ line, message }) => ({ line, message }))
}

const vueComponent = (script: string): string => `<script setup lang="ts">\n${script}\n</script>\n\n<template>\n  <p>{{ shown }}</p>\n</template>\n`

describe('electron stays in the desktop shell', () => {
  const importsElectron = "import { app } from 'electron'\n\nexport const ready = app.whenReady()\n"

  it('fails a backend file that imports electron, naming the file and the import', async () => {
    const findings = await layerFindings('electron/backend/sockets/window-tracker.ts', importsElectron)
    expect(findings).toEqual([{ line: 1, message: expect.stringContaining("'electron' imports `electron`") }])
  })

  it('fails electron loaded later, a subpath, a re-export or a type from electron', async () => {
    const cases = [
      "export async function load(): Promise<unknown> {\n  return await import('electron')\n}\n",
      "export { app } from 'electron'\n",
      "import type { BrowserWindow } from 'electron'\n\nexport type Window = BrowserWindow\n",
      "export type Shell = typeof import('electron')\n",
      "import { ipcMain } from 'electron/main'\n\nexport const channel = ipcMain\n"
    ]
    for (const code of cases) expect(await layerFindings('electron/backend/backend-extra.ts', code), code).toHaveLength(1)
  })

  it('fails shared code and the renderer that import electron', async () => {
    expect(await layerFindings('shared/model/window.ts', importsElectron)).toHaveLength(1)
    expect(await layerFindings('renderer/src/stores/window.ts', importsElectron)).toHaveLength(1)
  })

  it('passes electron in the desktop shell and the preload', async () => {
    expect(await lint('electron/main/window-tracker.ts', importsElectron)).toEqual([])
    expect(await lint('electron/preload/extra.ts', importsElectron)).toEqual([])
  })
})

describe('shared code and the renderer run in the browser', () => {
  const readsFiles = (specifier: string): string => `import { readFileSync } from '${specifier}'\n\nexport const text = readFileSync('/etc/hostname', 'utf8')\n`

  it('fails a shared file that imports node:fs', async () => {
    const findings = await layerFindings('shared/format/file-text.ts', readsFiles('node:fs'))
    expect(findings).toEqual([{ line: 1, message: expect.stringContaining("'node:fs' imports a Node built-in") }])
  })

  it('fails built-ins named without the node: prefix, and in the renderer', async () => {
    expect(await layerFindings('shared/format/file-text.ts', readsFiles('fs'))).toHaveLength(1)
    expect(await layerFindings('shared/format/file-text.ts', "import { join } from 'path'\n\nexport const joined = join('a', 'b')\n")).toHaveLength(1)
    expect(await layerFindings('renderer/src/stores/files.ts', readsFiles('fs/promises'))).toHaveLength(1)
    expect(await layerFindings('renderer/src/components/FileView.vue', vueComponent("import { hostname } from 'node:os'\n\nconst shown = hostname()"))).toHaveLength(1)
  })

  it('fails shared code that imports backend code', async () => {
    const code = "import { SocketMonitor } from '../../electron/backend'\n\nexport const monitor = SocketMonitor\n"
    expect(await layerFindings('shared/model/monitor.ts', code)).toHaveLength(1)
  })

  it('passes built-ins in the backend and the CLI, and packages in shared code', async () => {
    expect(await lint('electron/backend/sockets/file-text.ts', readsFiles('node:fs'))).toEqual([])
    expect(await lint('electron/cli/file-text.ts', readsFiles('fs'))).toEqual([])
    expect(await lint('shared/model/schema.ts', "import * as v from 'valibot'\n\nexport const name = v.string()\n")).toEqual([])
  })
})

describe('only stores talk to the transport', () => {
  const usesTransport = (specifier: string): string => vueComponent(`import { backendClient } from '${specifier}'\n\nconst shown = backendClient.toString()`)

  it('fails a component that imports the transport, naming the file and the import', async () => {
    const findings = await layerFindings('renderer/src/components/SocketCount.vue', usesTransport('../transport'))
    expect(findings).toEqual([{ line: 2, message: expect.stringContaining("'../transport' imports renderer/src/transport") }])
  })

  it('fails a nested component, a view or a renderer helper that imports any transport file', async () => {
    expect(await layerFindings('renderer/src/components/capture/PacketCount.vue', usesTransport('../../transport/ipc-client'))).toHaveLength(1)
    expect(await layerFindings('renderer/src/views/CountView.vue', usesTransport('../transport/index'))).toHaveLength(1)
    const typeOnly = "import type { AccessRefusal } from './transport'\n\nexport const refusal: AccessRefusal = 'no-token'\n"
    expect(await layerFindings('renderer/src/access-text.ts', typeOnly)).toHaveLength(1)
  })

  it('passes a store that imports the transport, and a component that imports a store', async () => {
    const store = "import { backendClient } from '../transport'\n\nexport const client = backendClient\n"
    expect(await lint('renderer/src/stores/counts.ts', store)).toEqual([])
    expect(
      await lint('renderer/src/components/SocketCount.vue', vueComponent("import { useSocketsStore } from '../stores/sockets'\n\nconst shown = useSocketsStore().rows.length"))
    ).toEqual([])
  })
})

describe('the backend has one public surface', () => {
  const imports = (specifier: string): string => `import { SocketMonitor } from '${specifier}'\n\nexport const monitor = SocketMonitor\n`

  it('fails a CLI file that reaches inside the backend, naming the file and the import', async () => {
    const findings = await layerFindings('electron/cli/commands/count.ts', imports('../../backend/sockets/socket-monitor'))
    expect(findings).toEqual([{ line: 1, message: expect.stringContaining("'../../backend/sockets/socket-monitor' reaches inside the backend") }])
  })

  it('fails the desktop shell reaching inside the backend, and a re-export from inside', async () => {
    expect(await layerFindings('electron/main/count.ts', imports('../backend/sockets/socket-monitor'))).toHaveLength(1)
    expect(await layerFindings('electron/cli/count.ts', "export { SocketMonitor } from '../backend/sockets/socket-monitor'\n")).toHaveLength(1)
  })

  it('passes the public surface, named by folder or by its index file, and backend files importing each other', async () => {
    expect(await lint('electron/cli/commands/count.ts', imports('../../backend'))).toEqual([])
    expect(await lint('electron/cli/commands/count.ts', imports('../../backend/index'))).toEqual([])
    expect(await lint('electron/main/count.ts', imports('../backend'))).toEqual([])
    expect(await lint('electron/backend/history/count.ts', imports('../sockets/socket-monitor'))).toEqual([])
  })
})

describe('index reads in the app', () => {
  const asserted = 'export function first(items: readonly number[]): number {\n  return items[0]!\n}\n'

  it('fails a non-null assertion in the backend, shared code and a store', async () => {
    for (const path of ['electron/backend/sockets/first.ts', 'shared/first.ts', 'renderer/src/stores/first.ts']) {
      expect(
        (await lint(path, asserted)).map((message) => message.ruleId),
        path
      ).toEqual(['@typescript-eslint/no-non-null-assertion'])
    }
  })

  it('passes the same code in a test, and a checked read in the app', async () => {
    expect(await lint('test/unit/first.test.ts', asserted)).toEqual([])
    const checked = "import { elementAt } from '../element-at'\n\nexport function first(items: readonly number[]): number {\n  return elementAt(items, 0)\n}\n"
    expect(await lint('shared/model/first.ts', checked)).toEqual([])
  })
})

describe('the lint command', () => {
  /** Runs the project's ESLint command line on `code` as the file at `path`, as `npm run lint` would see it. */
  function lintCommand(path: string, code: string): { status: number | null; output: string } {
    const run = spawnSync(process.execPath, [join(root, 'node_modules/eslint/bin/eslint.js'), '--stdin', '--stdin-filename', path], {
      cwd: root,
      input: code,
      encoding: 'utf8',
      timeout: 60_000
    })
    return { status: run.status, output: `${run.stdout}${run.stderr}` }
  }

  it('exits with an error for a backend file that imports electron, naming the file and the rule', () => {
    const { status, output } = lintCommand('electron/backend/sockets/window-tracker.ts', "import { app } from 'electron'\n\nexport const ready = app.whenReady()\n")
    expect(status).toBe(1)
    expect(output).toContain(join(root, 'electron/backend/sockets/window-tracker.ts'))
    expect(output).toContain('layers/imports')
  })

  it('exits with an error for a component that imports the transport, naming the file and the rule', () => {
    const { status, output } = lintCommand(
      'renderer/src/components/SocketCount.vue',
      vueComponent("import { backendClient } from '../transport'\n\nconst shown = backendClient.toString()")
    )
    expect(status).toBe(1)
    expect(output).toContain(join(root, 'renderer/src/components/SocketCount.vue'))
    expect(output).toContain('layers/imports')
  })

  it('passes the same component importing a store', () => {
    const { status, output } = lintCommand(
      'renderer/src/components/SocketCount.vue',
      vueComponent("import { useSocketsStore } from '../stores/sockets'\n\nconst shown = useSocketsStore().rows.length")
    )
    expect(output).toBe('')
    expect(status).toBe(0)
  })

  it('runs inside npm test, before the build and the tests', () => {
    const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    expect(scripts.lint).toMatch(/^eslint /)
    // The formatting check is part of the same command, so an unformatted file fails the suite too.
    expect(scripts.lint).toContain(' && prettier --check ')
    expect(scripts.test?.split(' && ')).toContain('npm run lint')
  })
})
