/**
 * Turns a parsed query into a predicate over one kind of record, described by a field table.
 *
 * The same language filters sockets today and packets later: only the table changes. Compiling
 * does all the string work once (lower-casing, number and address parsing) so that the predicate
 * is a tree of small closures that runs on every row per keystroke.
 */

import { closestName } from './closest-name'
import { makeQueryError, type QueryError } from './query-error'
import { parseQuery, type FieldTermNode, type ParsedQuery, type QueryNode } from './query-parser'
import { elementAt } from '../element-at'

/** A compiled test of one record. */
export type RecordTest<T> = (record: T) => boolean

/** What a field makes of the value after its colon: a test, or why the value is wrong. */
export type FieldValueResult<T> =
  | { readonly ok: true; readonly test: RecordTest<T> }
  | {
      readonly ok: false
      /** What is wrong, without the position: `port must be 0–65535`. */
      readonly problem: string
      /** How to fix it, shown in parentheses: `did you mean "tcp"?`. */
      readonly hint?: string
    }

/** One `name:value` term a field table understands. */
export interface FieldDefinition<T> {
  /** Other names for the field, e.g. `process` for `proc`. */
  readonly aliases?: readonly string[]
  /** How to write it, for help text: `port:443  port:8000-8100`. */
  readonly syntax: string
  readonly description: string
  /**
   * Compiles the value (quotes removed) into a test. `fieldName` is the canonical name, for messages.
   */
  readonly compile: (value: string, fieldName: string) => FieldValueResult<T>
}

/** An example query with what it finds, for help text. */
export interface QueryExample {
  readonly query: string
  readonly meaning: string
}

/** Everything the language needs to know about one record type. */
export interface FieldTable<T> {
  /** Fields by canonical name; names are matched case-insensitively. */
  readonly fields: Readonly<Record<string, FieldDefinition<T>>>
  /**
   * Compiles free text (already lower case) into a test: does the record's searchable text
   * contain it? Tables decide what is searchable, and can use the needle to skip fields it
   * cannot occur in.
   */
  readonly compileText: (lowerCaseNeedle: string) => RecordTest<T>
  /** What free text searches, for help text. */
  readonly textDescription: string
  readonly examples: readonly QueryExample[]
}

/** A query ready to run. */
export interface CompiledQuery<T> {
  readonly source: string
  /** True for an empty query, so callers can skip filtering altogether. */
  readonly matchesEverything: boolean
  readonly matches: RecordTest<T>
}

/** The outcome of compiling: the query, or the first problem found. */
export type QueryCompileResult<T> = { readonly ok: true; readonly query: CompiledQuery<T> } | { readonly ok: false; readonly error: QueryError }

/** Compiles a parsed query against a field table. Never throws on bad input. */
export function compileQuery<T>(parsed: ParsedQuery, table: FieldTable<T>): QueryCompileResult<T> {
  if (parsed.root === null) {
    return { ok: true, query: { source: parsed.source, matchesEverything: true, matches: matchAll } }
  }
  const compiled = compileNode(parsed.root, table, fieldLookup(table))
  if (!compiled.ok) return compiled
  return { ok: true, query: { source: parsed.source, matchesEverything: false, matches: compiled.test } }
}

/** Parses and compiles in one step, the usual entry point for a filter box or a `--filter` flag. */
export function compileFilter<T>(source: string, table: FieldTable<T>): QueryCompileResult<T> {
  const parsed = parseQuery(source)
  return parsed.ok ? compileQuery(parsed.query, table) : parsed
}

/** The canonical names of a table's fields followed by their aliases, for suggestions. */
export function fieldNames<T>(table: FieldTable<T>): readonly string[] {
  return [...fieldLookup(table).keys()]
}

function matchAll(): boolean {
  return true
}

type NodeResult<T> = { readonly ok: true; readonly test: RecordTest<T> } | { readonly ok: false; readonly error: QueryError }

interface LookupEntry<T> {
  readonly name: string
  readonly definition: FieldDefinition<T>
}

const lookups = new WeakMap<object, ReadonlyMap<string, LookupEntry<unknown>>>()

/** Lower-case name or alias to field, built once per table. */
function fieldLookup<T>(table: FieldTable<T>): ReadonlyMap<string, LookupEntry<T>> {
  const cached = lookups.get(table)
  if (cached !== undefined) return cached as ReadonlyMap<string, LookupEntry<T>>
  const lookup = new Map<string, LookupEntry<T>>()
  for (const [name, definition] of Object.entries(table.fields)) lookup.set(name.toLowerCase(), { name, definition })
  for (const [name, definition] of Object.entries(table.fields)) {
    for (const alias of definition.aliases ?? []) {
      if (!lookup.has(alias.toLowerCase())) lookup.set(alias.toLowerCase(), { name, definition })
    }
  }
  lookups.set(table, lookup as ReadonlyMap<string, LookupEntry<unknown>>)
  return lookup
}

/** Operators of other filter syntaxes (Wireshark, BPF-like) that users type out of habit. */
const COMPARISON_OPERATORS = new Set(['==', '!=', '===', '&&', '||', '>=', '<=', '>', '<'])

function compileNode<T>(node: QueryNode, table: FieldTable<T>, lookup: ReadonlyMap<string, LookupEntry<T>>): NodeResult<T> {
  switch (node.kind) {
    case 'text':
      if (!node.quoted && COMPARISON_OPERATORS.has(node.text)) {
        // `tcp.port == 80` would otherwise search for the text "==" and quietly match nothing.
        return {
          ok: false,
          error: makeQueryError(
            `"${node.text}" is not part of this filter language`,
            node.start,
            node.end,
            'write field:value, e.g. port:80 or proto:tcp; quote it to search for the text'
          )
        }
      }
      return { ok: true, test: table.compileText(node.text.toLowerCase()) }
    case 'field':
      return compileField(node, lookup)
    case 'not': {
      const child = compileNode(node.child, table, lookup)
      if (!child.ok) return child
      const test = child.test
      return { ok: true, test: (record) => !test(record) }
    }
    case 'and':
    case 'or': {
      const tests: RecordTest<T>[] = []
      for (const childNode of node.children) {
        const child = compileNode(childNode, table, lookup)
        if (!child.ok) return child
        tests.push(child.test)
      }
      return { ok: true, test: node.kind === 'and' ? allOf(tests) : anyOf(tests) }
    }
  }
}

function compileField<T>(node: FieldTermNode, lookup: ReadonlyMap<string, LookupEntry<T>>): NodeResult<T> {
  const entry = lookup.get(node.field.toLowerCase())
  if (entry === undefined) {
    const suggestion = closestName(node.field, [...lookup.keys()])
    const hint = suggestion === null ? 'quote the text to search for it' : `did you mean "${suggestion}"?`
    return { ok: false, error: makeQueryError(`unknown field "${node.field}"`, node.fieldSpan.start, node.fieldSpan.end, hint) }
  }
  const result = entry.definition.compile(node.value, entry.name)
  if (result.ok) return result
  return { ok: false, error: makeQueryError(result.problem, node.valueSpan.start, node.valueSpan.end, result.hint) }
}

/** Unrolls the common two- and three-way cases: a loop over closures is slower per row. */
function allOf<T>(tests: readonly RecordTest<T>[]): RecordTest<T> {
  if (tests.length === 1) return elementAt(tests, 0)
  if (tests.length === 2) {
    const [first, second] = tests as [RecordTest<T>, RecordTest<T>]
    return (record) => first(record) && second(record)
  }
  if (tests.length === 3) {
    const [first, second, third] = tests as [RecordTest<T>, RecordTest<T>, RecordTest<T>]
    return (record) => first(record) && second(record) && third(record)
  }
  return (record) => {
    for (const test of tests) if (!test(record)) return false
    return true
  }
}

function anyOf<T>(tests: readonly RecordTest<T>[]): RecordTest<T> {
  if (tests.length === 1) return elementAt(tests, 0)
  if (tests.length === 2) {
    const [first, second] = tests as [RecordTest<T>, RecordTest<T>]
    return (record) => first(record) || second(record)
  }
  if (tests.length === 3) {
    const [first, second, third] = tests as [RecordTest<T>, RecordTest<T>, RecordTest<T>]
    return (record) => first(record) || second(record) || third(record)
  }
  return (record) => {
    for (const test of tests) if (test(record)) return true
    return false
  }
}
