/**
 * How the backend's folders depend on each other: no two folders import each other, even through
 * others (a cycle means neither can be understood or moved alone), and nothing outside the backend
 * reaches past its public surface, electron/backend/index.ts.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { describe, expect, it } from 'vitest'

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
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']*)'/g)].map((match) => match[1]!)
  return specifiers.map((specifier) => resolve(dirname(file), specifier))
}

/** The backend folder a path lies in (`history`, `capture`, ...), or null for the backend's own root files. */
function backendFolder(path: string): string | null {
  const inside = relative(backend, path)
  return inside.includes(sep) ? inside.split(sep)[0]! : null
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
        const start = loop.indexOf([...loop].sort()[0]!)
        found.add([...loop.slice(start), ...loop.slice(0, start), loop[start]].join(' → '))
      } else walk([...path, to])
    }
  }
  for (const from of next.keys()) walk([from])
  return [...found].sort()
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
})
