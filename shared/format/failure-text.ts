/**
 * A failed request in words for the person who asked: the one place a failure envelope becomes
 * text, so no schema summary, channel name or stack reaches a user.
 */
import type { ArgumentProblem, Failure } from '../contract/envelope'

/** Labels a form shows for its fields, by argument path (`closeWaitMinimumCount`, `dnsQuery.name`). */
export type FieldLabels = Readonly<Record<string, string>>

/** One sentence per refused argument, named by the form's label when it has one. */
export function argumentProblemText(problem: ArgumentProblem, labels: FieldLabels = {}): string {
  const label = labels[problem.field]
  const subject = label ? `“${label}”` : problem.rule === 'unknown-field' ? `“${problem.field}”` : problem.field ? `The ${fieldWords(problem.field)}` : 'The request'
  return `${subject} ${ruleText(problem)}.`
}

/** The whole failure as text: its problems as sentences for refused arguments, else its own message. */
export function failureText(failure: Failure, labels: FieldLabels = {}): string {
  if (failure.code === 'invalid-arguments' && failure.problems?.length) return failure.problems.map((problem) => argumentProblemText(problem, labels)).join(' ')
  if (failure.code === 'unknown-channel') return 'This page is older than the sockscope it talks to: reload it.'
  return failure.message
}

function ruleText(problem: ArgumentProblem): string {
  const limit = problem.limit
  switch (problem.rule) {
    case 'at-least':
      return `must be at least ${limit}`
    case 'at-most':
      return `must be at most ${limit}`
    case 'whole-number':
      return 'must be a whole number'
    case 'number':
      return 'must be a number'
    case 'text':
      return 'must be text'
    case 'on-off':
      return 'must be on or off'
    case 'shorter':
      return limit === null || limit <= 1 ? 'must not be empty' : `must be at least ${limit} characters long`
    case 'longer':
      return `must be at most ${limit} characters long`
    case 'one-of':
      return problem.choices?.length ? `must be one of ${problem.choices.join(', ')}` : 'is not one of the allowed values'
    case 'unknown-field':
      return 'is not something this request takes'
    case 'format':
      return `must be ${problem.note ?? 'in the expected form'}`
    case 'invalid':
      return 'is not valid'
  }
}

/** `closeWaitMinimumCount` → `close wait minimum count`, `intervalMs` → `interval in milliseconds`. */
function fieldWords(field: string): string {
  return field
    .split('.')
    .map((part) => (/^\d+$/.test(part) ? `#${Number(part) + 1}` : part))
    .join(' ')
    .replace(/Ms\b/g, ' in milliseconds')
    .replace(/([a-z\d])([A-Z])/g, '$1 $2')
    .toLowerCase()
}
