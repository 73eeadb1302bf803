/**
 * How the backend's folders depend on each other: no two folders import each other, even through
 * others (a cycle means neither can be understood or moved alone), no folder reaches back into the
 * composition root that wires them all, and nothing outside the backend reaches past its public
 * surface, electron/backend/index.ts. Below the folders, no source file of electron/, shared/ or
 * renderer/ (its stores included) imports itself round a loop.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { describe, expect, it } from 'vitest'
import { elementAt } from '../../../shared/element-at'

const root = resolve(__dirname, '../../..')
const backend = join(root, 'electron/backend')

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return /\.(ts|vue)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : []
  })
}

/** Every relative module a file imports (static, type-only, re-exported or dynamic), as absolute paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']*)'/g)].map((match) => elementAt(match, 1))
  return specifiers.map((specifier) => resolve(dirname(file), specifier))
}

/** The backend folder a path lies in (`history`, `capture`, ...), or null for the backend's own root files. */
function backendFolder(path: string): string | null {
  const inside = relative(backend, path)
  return inside.includes(sep) ? elementAt(inside.split(sep), 0) : null
}

/** Imports from one backend folder into another, as `from → to` with the files that make each. */
function folderEdges(): Map<string, Set<string>> {
  const edges = new Map<string, Set<string>>()
  for (const file of sourceFiles(backend)) {
    const from = backendFolder(file)
    if (from === null) continue
    for (const target of importsOf(file)) {
      if (!target.startsWith(backend + sep)) continue
      const to = backendFolder(target)
      if (to === null || to === from) continue
      const files = edges.get(`${from} → ${to}`) ?? new Set<string>()
      files.add(relative(root, file))
      edges.set(`${from} → ${to}`, files)
    }
  }
  return edges
}

/** Every cycle among the folders, each as `a → b → … → a`. */
function cycles(edges: Iterable<string>): string[] {
  const next = new Map<string, string[]>()
  for (const edge of edges) {
    const [from, to] = edge.split(' → ') as [string, string]
    next.set(from, [...(next.get(from) ?? []), to])
  }
  const found = new Set<string>()
  const walk = (path: string[]): void => {
    for (const to of next.get(path.at(-1)!) ?? []) {
      const at = path.indexOf(to)
      if (at >= 0) {
        const loop = path.slice(at)
        // One name per cycle, whichever folder it is walked from.
        const start = loop.indexOf(elementAt([...loop].sort(), 0))
        found.add([...loop.slice(start), ...loop.slice(0, start), loop[start]].join(' → '))
      } else walk([...path, to])
    }
  }
  for (const from of next.keys()) walk([from])
  return [...found].sort()
}

/** The files that wire every domain together; a folder that imports one depends on all the others. */
const compositionRoot = ['backend.ts', 'modules.ts', 'index.ts'].map((name) => join(backend, name))

/** The file a resolved import names (`x.ts`, or `x/index.ts` for a folder), or null for anything else. */
function moduleFile(target: string): string | null {
  return [`${target}.ts`, join(target, 'index.ts'), target].find((candidate) => existsSync(candidate) && statSync(candidate).isFile()) ?? null
}

/** The files a file imports with `import type`, once per statement. */
function typeOnlyImports(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  return [...text.matchAll(/^import\s+type\b[^']*'(\.[^']*)'/gm)].map((match) => moduleFile(resolve(dirname(file), elementAt(match, 1)))).filter((target) => target !== null)
}

/** Files that import each other, directly or round a loop: each group of two or more (Tarjan's strongly connected components). */
function importLoops(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const order = new Map<string, number>()
  const lowest = new Map<string, number>()
  const stack: string[] = []
  const loops: string[][] = []
  const visit = (file: string): void => {
    order.set(file, order.size)
    lowest.set(file, order.get(file)!)
    stack.push(file)
    for (const next of graph.get(file) ?? []) {
      if (!order.has(next)) {
        visit(next)
        lowest.set(file, Math.min(lowest.get(file)!, lowest.get(next)!))
      } else if (stack.includes(next)) lowest.set(file, Math.min(lowest.get(file)!, order.get(next)!))
    }
    if (lowest.get(file) !== order.get(file)) return
    const group = stack.splice(stack.indexOf(file))
    if (group.length > 1) loops.push(group.sort())
  }
  for (const file of graph.keys()) if (!order.has(file)) visit(file)
  return loops.sort((a, b) => elementAt(a, 0).localeCompare(elementAt(b, 0)))
}

describe('the backend folders', () => {
  it('import each other without a cycle', () => {
    const edges = folderEdges()
    // The edges this rests on, so a failure shows which files to look at.
    const found = cycles(edges.keys())
    expect(found, [...edges].map(([edge, files]) => `${edge}: ${[...files].join(', ')}`).join('\n')).toEqual([])
  })

  it('finds a cycle when there is one, however long', () => {
    expect(cycles(['history → leaks', 'leaks → history'])).toEqual(['history → leaks → history'])
    expect(cycles(['a → b', 'b → c', 'c → a', 'c → d'])).toEqual(['a → b → c → a'])
    expect(cycles(['recording → history', 'history → leaks'])).toEqual([])
  })

  it('are reached from the CLI, the desktop shell and the rest of electron/ through electron/backend/index.ts only', () => {
    const neighbours = readdirSync(join(root, 'electron'), { withFileTypes: true }).filter((entry) => entry.isDirectory() && entry.name !== 'backend')
    // The CLI and the desktop shell are the ones that import the backend today; they must be looked at.
    expect(neighbours.map((entry) => entry.name)).toEqual(expect.arrayContaining(['cli', 'main']))
    const outside = neighbours.flatMap((entry) => sourceFiles(join(root, 'electron', entry.name)))
    const reaching = outside.flatMap((file) =>
      importsOf(file)
        .filter((target) => target.startsWith(backend + sep) || target === backend)
        .filter((target) => target !== backend && target !== join(backend, 'index'))
        .map((target) => `${relative(root, file)} imports ${relative(root, target)}`)
    )
    expect(reaching).toEqual([])
  })

  it('are wired together by the composition root alone: none imports modules.ts or index.ts, nor backend.ts beyond its types', () => {
    const backendFile = join(backend, 'backend.ts')
    const reaching = sourceFiles(backend)
      .filter((file) => backendFolder(file) !== null)
      .flatMap((file) => {
        // The Backend interface may be named (web mode serves one); wiring or creating one may not.
        const typeOnly = typeOnlyImports(file)
        return importsOf(file)
          .map(moduleFile)
          .filter((target): target is string => target !== null && compositionRoot.includes(target))
          .filter((target) => {
            const at = target === backendFile ? typeOnly.indexOf(target) : -1
            if (at >= 0) typeOnly.splice(at, 1)
            return at < 0
          })
          .map((target) => `${relative(root, file)} imports ${relative(root, target)}`)
      })
    expect(reaching).toEqual([])
  })
})

describe('the source files of electron/, shared/ and renderer/', () => {
  it('never import themselves round a loop', () => {
    // The renderer's stores are in it: two stores that import each other cannot be set up or tested alone.
    const files = ['electron', 'shared', 'renderer'].flatMap((folder) => sourceFiles(join(root, folder))).filter((file) => file.endsWith('.ts'))
    expect(files).toContain(join(root, 'renderer/src/stores/probe.ts'))
    const graph = new Map(
      files.map((file) => [
        file,
        importsOf(file)
          .map(moduleFile)
          .filter((target) => target !== null)
      ])
    )
    expect(importLoops(graph).map((group) => group.map((file) => relative(root, file)))).toEqual([])
  })

  it('finds every loop, and nothing else', () => {
    const graph = (edges: Record<string, string[]>): Map<string, string[]> => new Map(Object.entries(edges))
    expect(importLoops(graph({ a: ['b'], b: ['c'], c: ['a'], d: ['a'] }))).toEqual([['a', 'b', 'c']])
    expect(importLoops(graph({ y: ['x'], x: ['y'], b: ['a'], a: ['b'], c: ['a'] }))).toEqual([
      ['a', 'b'],
      ['x', 'y']
    ])
    expect(importLoops(graph({ a: ['b', 'c'], b: ['c'], c: [] }))).toEqual([])
  })
})
