/**
 * Parses `tasklist /fo csv /nh`: one quoted CSV line per process, `"Image Name","PID","Session
 * Name","Session#","Mem Usage"`, the memory column holding a comma inside its quotes. Built from the
 * documented format (Microsoft's tasklist reference); lines that are not a process row are
 * reported, and the "INFO: No tasks" notice (translated on non-English Windows) is a valid empty answer.
 */
import type { TableIssue } from '../../../../shared/model/socket'

/** pid → image name, and the lines that could not be read. */
export interface TasklistParse {
  readonly names: ReadonlyMap<number, string>
  readonly issues: readonly TableIssue[]
}

/** Parses the output; `source` names it in issues. */
export function parseTasklistCsv(text: string, source = 'tasklist'): TasklistParse {
  const names = new Map<number, string>()
  const issues: TableIssue[] = []
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim()
    if (line === '') return
    // The notice tasklist prints when nothing matched is not CSV, and is no error.
    if (!line.startsWith('"')) return
    const cells = csvCells(line)
    const [name, pidText] = cells ?? []
    if (cells === null || cells.length < 2 || name === undefined || pidText === undefined || !/^\d+$/.test(pidText)) {
      issues.push({ source, line: index + 1, message: 'not a tasklist CSV row ("name","pid",…)', text: line })
      return
    }
    names.set(Number(pidText), name)
  })
  return { names, issues }
}

/** The cells of one CSV line whose every cell is quoted (`""` is a quote); null when it is not such a line. */
function csvCells(line: string): string[] | null {
  const cells: string[] = []
  let position = 0
  while (position < line.length) {
    if (line[position] !== '"') return null
    let cell = ''
    position += 1
    for (;;) {
      if (position >= line.length) return null
      const char = line[position]
      if (char === '"') {
        if (line[position + 1] === '"') {
          cell += '"'
          position += 2
          continue
        }
        position += 1
        break
      }
      cell += char
      position += 1
    }
    cells.push(cell)
    if (position === line.length) break
    if (line[position] !== ',') return null
    position += 1
  }
  return cells
}
