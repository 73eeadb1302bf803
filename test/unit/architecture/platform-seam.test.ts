/**
 * One platform seam: everything asked of the operating system goes through
 * electron/backend/platform/, so nothing else in the product names a /proc or /sys path or talks
 * netlink. A read that slips past the seam is one a second OS (or the netlink reader) never sees.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = join(__dirname, '../../..')
const platformFolder = join(root, 'electron/backend/platform') + sep

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name)
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path)
    return /\.(ts|mts|js|vue)$/.test(entry.name) ? [path] : []
  })
}

/**
 * What counts as asking the OS directly: a string that starts with a /proc or /sys path (quoted or
 * in a template), a netlink address family or protocol constant, or an import of the netlink
 * engine, the `netlink` package or the FFI it is built on. Prose that mentions /proc in a comment
 * or a sentence is not a read and does not count.
 */
const OS_ACCESS: readonly { readonly what: string; readonly pattern: RegExp }[] = [
  { what: 'a /proc path', pattern: /['"`]\/proc(?:\/|['"`$])/ },
  { what: 'a /sys path', pattern: /['"`]\/sys\// },
  { what: 'a netlink constant', pattern: /\b(?:AF_NETLINK|PF_NETLINK|NETLINK_[A-Z_]+)\b/ },
  { what: 'a netlink or FFI import', pattern: /(?:from\s*|import\s*\(\s*|require\s*\(\s*)['"](?:[^'"]*\/netlink(?:\/[^'"]*)?|netlink|koffi)['"]/ }
]

/** Each OS access in `text`, as `line N: what`. */
function osAccessIn(text: string): string[] {
  const found: string[] = []
  text.split('\n').forEach((line, index) => {
    for (const { what, pattern } of OS_ACCESS) if (pattern.test(line)) found.push(`line ${index + 1}: ${what}`)
  })
  return found
}

describe('the platform seam', () => {
  it('is the only place that reads /proc or /sys or uses netlink', () => {
    const files = ['electron', 'shared', 'renderer'].flatMap((folder) => sourceFiles(join(root, folder)))
    expect(files.length).toBeGreaterThan(100)
    const outside = files
      .filter((file) => !file.startsWith(platformFolder))
      .flatMap((file) => osAccessIn(readFileSync(file, 'utf8')).map((hit) => `${relative(root, file)} ${hit}`))
    expect(outside).toEqual([])
  })

  it('still finds OS access inside the platform folder, so the scan above looks for something real', () => {
    const inside = sourceFiles(platformFolder).flatMap((file) => osAccessIn(readFileSync(file, 'utf8')))
    expect(inside.some((hit) => hit.endsWith('a /proc path'))).toBe(true)
    expect(inside.some((hit) => hit.endsWith('a netlink constant'))).toBe(true)
    expect(inside.some((hit) => hit.endsWith('a netlink or FFI import'))).toBe(true)
  })

  it('tells a read from prose about one', () => {
    expect(osAccessIn("const text = await readFile(`/proc/${pid}/limits`, 'utf8')")).toEqual(['line 1: a /proc path'])
    expect(osAccessIn("access('/proc')")).toEqual(['line 1: a /proc path'])
    expect(osAccessIn("\nreadFile('/sys/class/net/lo/mtu')")).toEqual(['line 2: a /sys path'])
    expect(osAccessIn('const fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_SOCK_DIAG)')).toEqual(['line 1: a netlink constant'])
    expect(osAccessIn("import { SocketDiagnostics } from '../platform/linux/netlink/socket-diagnostics'")).toEqual(['line 1: a netlink or FFI import'])
    expect(osAccessIn("const koffi = require('koffi')")).toEqual(['line 1: a netlink or FFI import'])
    expect(osAccessIn("await import('netlink')")).toEqual(['line 1: a netlink or FFI import'])
    // Words about the files, and names that merely contain the letters, are not reads.
    expect(osAccessIn('/** Open file descriptors (/proc/PID/fd), or null. */')).toEqual([])
    expect(osAccessIn("return 'Found in /proc/PID/fd.'")).toEqual([])
    expect(osAccessIn("import { procSystem } from './proceed'")).toEqual([])
    expect(osAccessIn("const path = '/system/settings'")).toEqual([])
  })
})
