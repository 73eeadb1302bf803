/**
 * A schema's refusal as data: valibot's issues turned into `ArgumentProblem`s, so every client can
 * put them in words (and a form in its own labels) instead of showing valibot's summary.
 */
import type { BaseIssue } from 'valibot'
import type { ArgumentProblem, ArgumentRule } from './envelope'

/** The problems behind a failed parse, one per issue (a union's nested issues count as one). */
export function argumentProblems(issues: readonly BaseIssue<unknown>[]): ArgumentProblem[] {
  return issues.map(problemOf)
}

function problemOf(issue: BaseIssue<unknown>): ArgumentProblem {
  const field = (issue.path ?? []).map((item) => String(item.key)).join('.')
  const { rule, limit, choices, note } = ruleOf(issue)
  return { field, rule, limit, choices, note }
}

interface RuleParts {
  readonly rule: ArgumentRule
  readonly limit: number | null
  readonly choices: readonly string[] | null
  readonly note: string | null
}

const plain = (rule: ArgumentRule, limit: number | null = null): RuleParts => ({ rule, limit, choices: null, note: null })

function ruleOf(issue: BaseIssue<unknown>): RuleParts {
  const requirement = (issue as { requirement?: unknown }).requirement
  const bound = typeof requirement === 'number' ? requirement : null
  switch (issue.type) {
    case 'min_value':
      return plain('at-least', bound)
    case 'max_value':
      return plain('at-most', bound)
    case 'integer':
      return plain('whole-number')
    case 'min_length':
    case 'non_empty':
      return plain('shorter', bound ?? 1)
    case 'max_length':
      return plain('longer', bound)
    case 'number':
      return plain('number')
    case 'string':
      return plain('text')
    case 'boolean':
      return plain('on-off')
    case 'picklist':
      // The issue names the options only in its `expected` text: `("csv" | "json")`.
      return { rule: 'one-of', limit: null, choices: [...(issue.expected ?? '').matchAll(/"([^"]*)"/g)].map((match) => match[1] ?? ''), note: null }
    case 'strict_object':
      // A key the schema does not know: valibot reports it as a value that should not be there.
      return issue.path?.length ? plain('unknown-field') : plain('invalid')
    default:
      // valibot's own messages start "Invalid …"; a schema's custom message says what it wants.
      return issue.message.startsWith('Invalid ') ? plain('invalid') : { rule: 'format', limit: null, choices: null, note: issue.message }
  }
}
