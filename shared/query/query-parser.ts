/**
 * The filter language's parser: query text to a syntax tree, with no knowledge of which fields
 * exist. Field names and values are checked later, against a field table, by the compiler.
 *
 * Grammar, loosest first:
 *
 *     query   := or?
 *     or      := and ( "or" and )*
 *     and     := unary ( "and"? unary )*          adjacent terms are joined by "and"
 *     unary   := ( "!" | "-" ) unary | primary     the sign must touch what it negates
 *     primary := "(" or ")" | field ":" value | text
 *
 * Groups and negations may nest at most {@link MAXIMUM_QUERY_NESTING} deep, so a pasted or
 * generated query of thousands of "(" is a located error instead of a stack overflow here or in
 * the compiler, which walks the same tree.
 */

import { isIpAddress, parseIpNetwork } from '../net/ip-address'
import { makeQueryError, type QueryError } from './query-error'
import { elementAt } from '../element-at'

/** How deep parentheses and negations may nest, counted together. */
export const MAXIMUM_QUERY_NESTING = 100

/** A place in the query text: 0-based offsets, end exclusive. */
export interface QuerySpan {
  readonly start: number
  readonly end: number
}

/** `field:value`. The value has its quotes removed. */
export interface FieldTermNode extends QuerySpan {
  readonly kind: 'field'
  /** The field name as typed (matched case-insensitively). */
  readonly field: string
  readonly fieldSpan: QuerySpan
  readonly value: string
  readonly valueSpan: QuerySpan
}

/** A bare word or a quoted string, searched for as text. */
export interface TextTermNode extends QuerySpan {
  readonly kind: 'text'
  readonly text: string
  readonly quoted: boolean
}

/** Every child must match. */
export interface AndNode extends QuerySpan {
  readonly kind: 'and'
  readonly children: readonly QueryNode[]
}

/** At least one child must match. */
export interface OrNode extends QuerySpan {
  readonly kind: 'or'
  readonly children: readonly QueryNode[]
}

/** The child must not match. */
export interface NotNode extends QuerySpan {
  readonly kind: 'not'
  readonly child: QueryNode
}

/** A node of the query's syntax tree. */
export type QueryNode = AndNode | OrNode | NotNode | FieldTermNode | TextTermNode

/** A parsed query. An empty (or all-blank) query has no root and matches everything. */
export interface ParsedQuery {
  readonly source: string
  readonly root: QueryNode | null
}

/** The outcome of {@link parseQuery}. */
export type QueryParseResult = { readonly ok: true; readonly query: ParsedQuery } | { readonly ok: false; readonly error: QueryError }

/**
 * Parses query text into a syntax tree. Never throws: bad input comes back as a located error.
 */
export function parseQuery(source: string): QueryParseResult {
  try {
    const tokens = tokenize(source)
    return { ok: true, query: { source, root: new Parser(tokens, source.length).parseQuery() } }
  } catch (error) {
    if (error instanceof QuerySyntaxError) return { ok: false, error: error.queryError }
    throw error
  }
}

/** Carries a located error out of the recursive descent; never escapes this module. */
class QuerySyntaxError extends Error {
  constructor(readonly queryError: QueryError) {
    super(queryError.message)
  }
}

function fail(problem: string, start: number, end: number, hint?: string): never {
  throw new QuerySyntaxError(makeQueryError(problem, start, end, hint))
}

interface WordToken extends QuerySpan {
  readonly kind: 'word'
  readonly node: FieldTermNode | TextTermNode
}

interface PunctuationToken extends QuerySpan {
  readonly kind: 'open' | 'close' | 'and' | 'or' | 'not'
  /** The text as typed, for messages. */
  readonly text: string
}

type Token = WordToken | PunctuationToken

const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]*$/

function isBlank(character: string): boolean {
  return character === ' ' || character === '\t' || character === '\n' || character === '\r'
}

function isWordEnd(character: string): boolean {
  return isBlank(character) || character === '(' || character === ')'
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = []
  let index = 0
  while (index < source.length) {
    const character = elementAt(source, index)
    if (isBlank(character)) {
      index += 1
    } else if (character === '(' || character === ')') {
      tokens.push({ kind: character === '(' ? 'open' : 'close', text: character, start: index, end: index + 1 })
      index += 1
    } else if (character === '!' || character === '-') {
      const next = source[index + 1]
      if (next === undefined || isBlank(next) || next === ')') {
        fail(`nothing to negate after "${character}"`, index, index + 1, 'put the sign right before a term, or quote it')
      }
      tokens.push({ kind: 'not', text: character, start: index, end: index + 1 })
      index += 1
    } else {
      const token = readWord(source, index)
      tokens.push(token)
      index = token.end
    }
  }
  return tokens
}

/** Reads one word: unquoted runs and "quoted strings" glued together, as a shell does. */
function readWord(source: string, start: number): Token {
  let index = start
  let text = ''
  let quoted = false
  let colon = -1
  while (index < source.length && !isWordEnd(elementAt(source, index))) {
    const character = elementAt(source, index)
    if (character === '"') {
      const open = index
      quoted = true
      index += 1
      let closed = false
      while (index < source.length) {
        const inner = elementAt(source, index)
        const escaped = source[index + 1]
        if (inner === '\\' && (escaped === '"' || escaped === '\\')) {
          text += escaped
          index += 2
        } else if (inner === '"') {
          closed = true
          index += 1
          break
        } else {
          text += inner
          index += 1
        }
      }
      if (!closed) fail('unclosed quote', open, open + 1)
    } else {
      // Only a colon before any quote can end a field name: "a:b" is text.
      if (character === ':' && colon < 0 && !quoted) colon = index
      text += character
      index += 1
    }
  }
  const end = index
  const raw = source.slice(start, end)
  if (!quoted) {
    const keyword = raw.toLowerCase()
    if (keyword === 'and' || keyword === 'or') return { kind: keyword, text: raw, start, end }
  }
  if (colon > start && FIELD_NAME.test(source.slice(start, colon)) && !looksLikeAddress(raw)) {
    const field = source.slice(start, colon)
    const value = text.slice(field.length + 1)
    if (value.length === 0) fail(`missing value after "${field}:"`, start, colon + 1)
    const node: FieldTermNode = {
      kind: 'field',
      field,
      fieldSpan: { start, end: colon },
      value,
      valueSpan: { start: colon + 1, end },
      start,
      end
    }
    return { kind: 'word', node, start, end }
  }
  if (text.length === 0) fail('empty quotes', start, end, 'type some text between them')
  return { kind: 'word', node: { kind: 'text', text, quoted, start, end }, start, end }
}

/** `fe80::1` or `dead::/16` start like `name:` but are text, not fields. */
function looksLikeAddress(word: string): boolean {
  return isIpAddress(word) || parseIpNetwork(word).ok
}

class Parser {
  private position = 0
  /** Groups and negations open around the current token. */
  private depth = 0

  constructor(
    private readonly tokens: readonly Token[],
    private readonly sourceLength: number
  ) {}

  parseQuery(): QueryNode | null {
    if (this.tokens.length === 0) return null
    const root = this.parseOr()
    // parseOr stops only at the end or at a ")" it cannot pair.
    const extra = this.peek()
    if (extra !== undefined) fail(`unexpected "${describe(extra)}"`, extra.start, extra.end, 'no "(" opens it')
    return root
  }

  private peek(): Token | undefined {
    return this.tokens[this.position]
  }

  private take(): Token {
    const token = this.tokens[this.position]
    if (token === undefined) throw new Error('parser read past the last token')
    this.position += 1
    return token
  }

  /** True when the next token can begin a term, a group or a negation. */
  private atOperand(): boolean {
    const token = this.peek()
    return token !== undefined && (token.kind === 'word' || token.kind === 'open' || token.kind === 'not')
  }

  /** Runs `parse` one level deeper, refusing to go past the nesting limit at `opener`. */
  private nested<T>(opener: Token, parse: () => T): T {
    if (this.depth >= MAXIMUM_QUERY_NESTING) {
      fail('nested too deeply', opener.start, opener.end, `at most ${MAXIMUM_QUERY_NESTING} levels of parentheses and negations`)
    }
    this.depth += 1
    try {
      return parse()
    } finally {
      this.depth -= 1
    }
  }

  private expectOperandAfter(operator: PunctuationToken): void {
    if (!this.atOperand()) fail(`empty query after "${operator.text}"`, operator.start, operator.end)
  }

  private parseOr(): QueryNode {
    const first = this.peek()
    if (first !== undefined && (first.kind === 'or' || first.kind === 'and')) {
      fail(`empty query before "${first.text}"`, first.start, first.end)
    }
    const children = [this.parseAnd()]
    for (let token = this.peek(); token !== undefined && token.kind === 'or'; token = this.peek()) {
      this.take()
      this.expectOperandAfter(token)
      children.push(this.parseAnd())
    }
    return combine('or', children)
  }

  private parseAnd(): QueryNode {
    const children = [this.parseUnary()]
    for (;;) {
      const token = this.peek()
      if (token !== undefined && token.kind === 'and') {
        this.take()
        this.expectOperandAfter(token)
      } else if (!this.atOperand()) {
        break
      }
      children.push(this.parseUnary())
    }
    return combine('and', children)
  }

  private parseUnary(): QueryNode {
    const token = this.peek()
    if (token === undefined || token.kind !== 'not') return this.parsePrimary()
    this.take()
    if (!this.atOperand()) fail(`nothing to negate after "${token.text}"`, token.start, token.end)
    const child = this.nested(token, () => this.parseUnary())
    return { kind: 'not', child, start: token.start, end: child.end }
  }

  private parsePrimary(): QueryNode {
    const token = this.peek()
    if (token === undefined) fail('query ends too early', this.sourceLength, this.sourceLength + 1)
    if (token.kind === 'word') {
      this.take()
      return token.node
    }
    if (token.kind === 'open') {
      this.take()
      const next = this.peek()
      if (next === undefined) fail('unclosed parenthesis', token.start, token.end)
      if (next.kind === 'close') fail('empty parentheses', token.start, next.end)
      const inner = this.nested(token, () => this.parseOr())
      const close = this.peek()
      if (close === undefined || close.kind !== 'close') fail('unclosed parenthesis', token.start, token.end)
      this.take()
      return { ...inner, start: token.start, end: close.end }
    }
    if (token.kind === 'close') fail('unexpected ")"', token.start, token.end, 'no "(" opens it')
    return fail(`unexpected "${describe(token)}"`, token.start, token.end)
  }
}

function describe(token: Token): string {
  return token.kind === 'word' ? (token.node.kind === 'text' ? token.node.text : `${token.node.field}:${token.node.value}`) : token.text
}

/** Joins operands, flattening nested nodes of the same kind: `a (b c)` is one three-way and. */
function combine(kind: 'and' | 'or', children: readonly QueryNode[]): QueryNode {
  if (children.length === 1) return elementAt(children, 0)
  const flat = children.flatMap((child) => (child.kind === kind ? child.children : [child]))
  return { kind, children: flat, start: elementAt(children, 0).start, end: elementAt(children, children.length - 1).end }
}
