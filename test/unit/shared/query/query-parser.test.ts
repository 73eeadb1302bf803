import { describe, expect, it } from 'vitest'
import { MAXIMUM_QUERY_NESTING, parseQuery, type QueryNode } from '../../../../shared/query/query-parser'

/** Parses and returns the tree, failing the test on a parse error. */
function tree(source: string): QueryNode | null {
  const result = parseQuery(source)
  if (!result.ok) throw new Error(`unexpected parse error: ${result.error.message}`)
  return result.query.root
}

/** A compact spelling of a tree, so shapes read at a glance: and(a, or(b, c)), not(x), port:443. */
function shape(node: QueryNode | null): string {
  if (node === null) return '<all>'
  switch (node.kind) {
    case 'field':
      return `${node.field}:${node.value}`
    case 'text':
      return node.quoted ? JSON.stringify(node.text) : node.text
    case 'not':
      return `not(${shape(node.child)})`
    case 'and':
    case 'or':
      return `${node.kind}(${node.children.map(shape).join(', ')})`
  }
}

function errorOf(source: string): { message: string; start: number; end: number } {
  const result = parseQuery(source)
  if (result.ok) throw new Error(`expected a parse error for ${source}`)
  return result.error
}

describe('parseQuery: structure', () => {
  it('treats an empty or blank query as match-all', () => {
    expect(tree('')).toBeNull()
    expect(tree('  \t ')).toBeNull()
  })

  it('joins adjacent terms with and, explicitly or not', () => {
    expect(shape(tree('proto:tcp state:listen'))).toBe('and(proto:tcp, state:listen)')
    expect(shape(tree('proto:tcp and state:listen'))).toBe('and(proto:tcp, state:listen)')
    expect(shape(tree('proto:tcp AND state:listen And x'))).toBe('and(proto:tcp, state:listen, x)')
  })

  it('gives or a lower precedence than and', () => {
    expect(shape(tree('a b or c'))).toBe('or(and(a, b), c)')
    expect(shape(tree('a or b c'))).toBe('or(a, and(b, c))')
    expect(shape(tree('a and b or c and d'))).toBe('or(and(a, b), and(c, d))')
    expect(shape(tree('a OR b Or c'))).toBe('or(a, b, c)')
  })

  it('groups with parentheses', () => {
    expect(shape(tree('a (b or c)'))).toBe('and(a, or(b, c))')
    expect(shape(tree('(a or b) (c or d)'))).toBe('and(or(a, b), or(c, d))')
    expect(shape(tree('((a))'))).toBe('a')
    expect(shape(tree('(a b) c'))).toBe('and(a, b, c)')
    expect(shape(tree('a(b)'))).toBe('and(a, b)')
  })

  it('negates terms and groups with ! or -', () => {
    expect(shape(tree('-state:listen'))).toBe('not(state:listen)')
    expect(shape(tree('!proc:chrome'))).toBe('not(proc:chrome)')
    expect(shape(tree('!(a or b) c'))).toBe('and(not(or(a, b)), c)')
    expect(shape(tree('-(a b)'))).toBe('not(and(a, b))')
    expect(shape(tree('!!a'))).toBe('not(not(a))')
    expect(shape(tree('!-a'))).toBe('not(not(a))')
    expect(shape(tree('a -b or !c'))).toBe('or(and(a, not(b)), not(c))')
    expect(shape(tree('!"two words"'))).toBe('not("two words")')
  })

  it('reads a dash or bang inside a word as text', () => {
    expect(shape(tree('close-wait foo!bar'))).toBe('and(close-wait, foo!bar)')
    expect(shape(tree('port:8000-8100'))).toBe('port:8000-8100')
  })

  it('handles quoted text and quoted values', () => {
    expect(shape(tree('"Google Chrome"'))).toBe('"Google Chrome"')
    expect(shape(tree('proc:"Google Chrome"'))).toBe('proc:Google Chrome')
    expect(shape(tree('"a \\"b\\" \\\\ c"'))).toBe(JSON.stringify('a "b" \\ c'))
    expect(shape(tree('"a(b) or c"'))).toBe('"a(b) or c"')
    expect(shape(tree('"or" "and"'))).toBe('and("or", "and")')
    expect(shape(tree('"-x"'))).toBe('"-x"')
    expect(shape(tree('pre"mid dle"post'))).toBe('"premid dlepost"')
  })

  it('keeps a colon inside quotes or after a quote as text', () => {
    expect(shape(tree('"proto:tcp"'))).toBe('"proto:tcp"')
    expect(shape(tree('"a"b:c'))).toBe('"ab:c"')
  })

  it('splits a field term at the first colon, so IPv6 values work', () => {
    const node = tree('addr:::1')
    expect(node).toEqual({
      kind: 'field',
      field: 'addr',
      fieldSpan: { start: 0, end: 4 },
      value: '::1',
      valueSpan: { start: 5, end: 8 },
      start: 0,
      end: 8
    })
    expect(shape(tree('raddr:fe80::/10'))).toBe('raddr:fe80::/10')
  })

  it('reads bare addresses and endpoints as text, not fields', () => {
    expect(shape(tree('fe80::1 dead::beef beef::/16 ::1 10.0.0.1:443 [::1]:80'))).toBe('and(fe80::1, dead::beef, beef::/16, ::1, 10.0.0.1:443, [::1]:80)')
  })

  it('records spans of terms and groups', () => {
    const root = tree('  a  (b or c)')
    expect(root).toMatchObject({ kind: 'and', start: 2, end: 13 })
    if (root?.kind !== 'and') throw new Error('expected and')
    expect(root.children[0]).toMatchObject({ kind: 'text', text: 'a', start: 2, end: 3 })
    expect(root.children[1]).toMatchObject({ kind: 'or', start: 5, end: 13 })
    expect(tree('-x')).toMatchObject({ kind: 'not', start: 0, end: 2, child: { start: 1, end: 2 } })
  })

  it('keeps the source text', () => {
    const result = parseQuery('a b')
    expect(result.ok && result.query.source).toBe('a b')
  })
})

describe('parseQuery: errors', () => {
  it.each([
    ['(a', 'unclosed parenthesis at 1', 0, 1],
    ['a (b or (c)', 'unclosed parenthesis at 3', 2, 3],
    ['a )', 'unexpected ")" at 3 (no "(" opens it)', 2, 3],
    [')', 'unexpected ")" at 1 (no "(" opens it)', 0, 1],
    ['a ( )', 'empty parentheses at 3–5', 2, 5],
    ['a or', 'empty query after "or" at 3–4', 2, 4],
    ['a or )', 'empty query after "or" at 3–4', 2, 4],
    ['(a or) b', 'empty query after "or" at 4–5', 3, 5],
    ['a and', 'empty query after "and" at 3–5', 2, 5],
    ['a and or b', 'empty query after "and" at 3–5', 2, 5],
    ['or a', 'empty query before "or" at 1–2', 0, 2],
    ['AND a', 'empty query before "AND" at 1–3', 0, 3],
    ['(or a)', 'empty query before "or" at 2–3', 1, 3],
    ['a ! b', 'nothing to negate after "!" at 3 (put the sign right before a term, or quote it)', 2, 3],
    ['a -', 'nothing to negate after "-" at 3 (put the sign right before a term, or quote it)', 2, 3],
    ['(-)', 'nothing to negate after "-" at 2 (put the sign right before a term, or quote it)', 1, 2],
    ['-or a', 'nothing to negate after "-" at 1', 0, 1],
    ['a "bc', 'unclosed quote at 3', 2, 3],
    ['proc:"bc', 'unclosed quote at 6', 5, 6],
    ['a "x\\"', 'unclosed quote at 3', 2, 3],
    ['a ""', 'empty quotes at 3–4 (type some text between them)', 2, 4],
    ['port:', 'missing value after "port:" at 1–5', 0, 5],
    ['x lport:""', 'missing value after "lport:" at 3–8', 2, 8]
  ])('%j → %s', (source, message, start, end) => {
    expect(errorOf(source)).toEqual({ message, start, end })
  })
})

describe('parseQuery: nesting limit', () => {
  const limit = MAXIMUM_QUERY_NESTING
  const groups = (depth: number) => `${'('.repeat(depth)}port:80${')'.repeat(depth)}`
  const negations = (depth: number) => `${'!'.repeat(depth)}port:80`

  it('accepts groups and negations nested exactly to the limit', () => {
    expect(shape(tree(groups(limit)))).toBe('port:80')
    expect(shape(tree(negations(limit)))).toBe(`${'not('.repeat(limit)}port:80${')'.repeat(limit)}`)
    // Groups and negations count together: half of each is still at the limit.
    expect(parseQuery(`${'!('.repeat(limit / 2)}a${')'.repeat(limit / 2)}`).ok).toBe(true)
  })

  it('refuses one level more, pointing at the opener that goes too deep', () => {
    const hint = `at most ${limit} levels of parentheses and negations`
    expect(errorOf(groups(limit + 1))).toEqual({ message: `nested too deeply at ${limit + 1} (${hint})`, start: limit, end: limit + 1 })
    expect(errorOf(negations(limit + 1))).toEqual({ message: `nested too deeply at ${limit + 1} (${hint})`, start: limit, end: limit + 1 })
    expect(errorOf(`${'!('.repeat(limit / 2)}!a${')'.repeat(limit / 2)}`).start).toBe(limit)
  })

  it('answers ten thousand levels with the same located error instead of overflowing the stack', () => {
    for (const source of [groups(10_000), negations(10_000), '('.repeat(10_000), '-'.repeat(10_000) + 'x']) {
      const error = errorOf(source)
      expect(error.message.startsWith(`nested too deeply at ${limit + 1} `)).toBe(true)
      expect(error.start).toBe(limit)
    }
  })
})
