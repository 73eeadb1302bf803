/**
 * Help for the filter language, generated from a field table so it never drifts from what the
 * compiler accepts. The renderer shows the structured form; the CLI prints the text form.
 */

import type { FieldTable, QueryExample } from './query-compiler'
import { largestOf } from '../number-extremes'

/** One line of help: how to write something and what it does. */
export interface QuerySyntaxEntry {
  readonly syntax: string
  readonly description: string
}

/** The help for one field table, in sections. */
export interface QuerySyntaxHelp {
  readonly terms: readonly QuerySyntaxEntry[]
  readonly operators: readonly QuerySyntaxEntry[]
  readonly examples: readonly QueryExample[]
}

const OPERATORS: readonly QuerySyntaxEntry[] = [
  { syntax: 'a b   a and b', description: 'both must match' },
  { syntax: 'a or b', description: 'either may match; "and" binds tighter than "or"' },
  { syntax: '!a   -a', description: 'must not match; works on groups too: -(a or b)' },
  { syntax: '( )', description: 'group terms' },
  { syntax: '"..."', description: 'quote text with spaces, parentheses or a leading - or !; \\" is a quote' }
]

/** The help for a field table as sections, for a help popover. */
export function querySyntaxHelp<T>(table: FieldTable<T>): QuerySyntaxHelp {
  const terms: QuerySyntaxEntry[] = Object.values(table.fields).map((field) => ({
    syntax: field.syntax,
    description:
      field.aliases === undefined || field.aliases.length === 0 ? field.description : `${field.description} (also ${field.aliases.map((alias) => `${alias}:`).join(', ')})`
  }))
  terms.push({ syntax: 'word   "some text"', description: table.textDescription })
  return { terms, operators: OPERATORS, examples: table.examples }
}

/** The help for a field table as plain text, for `--help` and terminals. */
export function describeQuerySyntax<T>(table: FieldTable<T>): string {
  const help = querySyntaxHelp(table)
  const rows: readonly (readonly [string, readonly QuerySyntaxEntry[]])[] = [
    ['Terms', help.terms],
    ['Combining', help.operators],
    ['Examples', help.examples.map((example) => ({ syntax: example.query, description: example.meaning }))]
  ]
  const width = largestOf(
    rows.flatMap(([, entries]) => entries.map((entry) => entry.syntax.length)),
    0
  )
  const lines: string[] = []
  for (const [title, entries] of rows) {
    if (lines.length > 0) lines.push('')
    lines.push(`${title}:`)
    for (const entry of entries) lines.push(`  ${entry.syntax.padEnd(width)}  ${entry.description}`)
  }
  return lines.join('\n')
}
