/**
 * Building blocks for field tables: numbers (ports, pids), text, fixed choices and IP addresses.
 *
 * Each kind parses its value once and hands back a closure; a record type only says where the
 * values live through a {@link ValueSelector}.
 */

import { makeIpNetwork, networkContains, parseIpAddress, parseIpNetwork, type IpAddress, type IpNetwork } from '../net/ip-address'
import { closestName } from './closest-name'
import type { FieldDefinition, FieldValueResult, RecordTest } from './query-compiler'
import { elementAt } from '../element-at'

/**
 * Offers a record's values of one kind to a test and says whether any passed.
 *
 * A callback rather than an array keeps "either end" fields (`port` is the local or the remote
 * port) free of a per-row allocation.
 */
export type ValueSelector<T, V> = (record: T, test: (value: V) => boolean) => boolean

/** What every field kind is described by in help text. */
export interface FieldDescription {
  readonly syntax: string
  readonly description: string
  readonly aliases?: readonly string[]
}

/** A selector over plain accessors; a null value is skipped (no port, no process). */
export function selectAny<T, V>(...accessors: readonly ((record: T) => V | null)[]): ValueSelector<T, V> {
  if (accessors.length === 1) {
    const [only] = accessors as [(record: T) => V | null]
    return (record, test) => {
      const value = only(record)
      return value !== null && test(value)
    }
  }
  return (record, test) => {
    for (const accessor of accessors) {
      const value = accessor(record)
      if (value !== null && test(value)) return true
    }
    return false
  }
}

/** Options of {@link numberField}. */
export interface NumberFieldOptions<T> extends FieldDescription {
  readonly minimum: number
  readonly maximum: number
  readonly select: ValueSelector<T, number>
}

/** An inclusive range of whole numbers, parsed from `N`, `N-M`, `>N`, `>=N`, `<N` or `<=N`. */
export interface NumberRange {
  readonly low: number
  readonly high: number
}

/** Parses a number condition, checking it against the field's bounds. */
export function parseNumberRange(
  value: string,
  fieldName: string,
  minimum: number,
  maximum: number
): { readonly ok: true; readonly range: NumberRange } | { readonly ok: false; readonly problem: string; readonly hint?: string } {
  const match = /^(?:(\d+)(?:-(\d+))?|(<=|>=|<|>)(\d+))$/.exec(value)
  if (match === null) {
    return { ok: false, problem: `${fieldName} needs a number, not "${value}"`, hint: 'write N, N-M, >N, >=N, <N or <=N' }
  }
  const numbers = [match[1], match[2], match[4]].filter((text) => text !== undefined).map(Number)
  if (numbers.some((number) => number < minimum || number > maximum)) {
    return { ok: false, problem: `${fieldName} must be ${minimum}–${maximum}` }
  }
  const operator = match[3]
  const number = elementAt(numbers, 0)
  if (operator === undefined) {
    const high = numbers[1] ?? number
    if (high < number) {
      return { ok: false, problem: `${fieldName} range ${value} is backwards`, hint: `write ${high}-${number}` }
    }
    return { ok: true, range: { low: number, high } }
  }
  switch (operator) {
    case '>':
      return { ok: true, range: { low: number + 1, high: maximum } }
    case '>=':
      return { ok: true, range: { low: number, high: maximum } }
    case '<':
      return { ok: true, range: { low: minimum, high: number - 1 } }
    default:
      return { ok: true, range: { low: minimum, high: number } }
  }
}

/** A whole-number field: `port:443`, `port:8000-8100`, `pid:>1000`. */
export function numberField<T>(options: NumberFieldOptions<T>): FieldDefinition<T> {
  return {
    ...describeField(options),
    compile(value, fieldName): FieldValueResult<T> {
      const parsed = parseNumberRange(value, fieldName, options.minimum, options.maximum)
      if (!parsed.ok) return parsed
      const { low, high } = parsed.range
      const select = options.select
      const inRange = low === high ? (number: number) => number === low : (number: number) => number >= low && number <= high
      return { ok: true, test: (record) => select(record, inRange) }
    }
  }
}

/** Options of {@link textField}. */
export interface TextFieldOptions<T> extends FieldDescription {
  /** Must offer lower-case values: the needle is lowered once at compile time. */
  readonly select: ValueSelector<T, string>
}

/** A text field matched as a case-insensitive substring: `proc:node`. */
export function textField<T>(options: TextFieldOptions<T>): FieldDefinition<T> {
  return {
    ...describeField(options),
    compile(value): FieldValueResult<T> {
      const needle = value.toLowerCase()
      const select = options.select
      const contains = (text: string) => text.includes(needle)
      return { ok: true, test: (record) => select(record, contains) }
    }
  }
}

/** One value a {@link choiceField} accepts. */
export interface FieldChoice<T> {
  /** The name shown in help and suggestions. */
  readonly name: string
  readonly aliases?: readonly string[]
  readonly test: RecordTest<T>
}

/** Options of {@link choiceField}. */
export interface ChoiceFieldOptions<T> extends FieldDescription {
  /** What a value is called in messages: `unknown protocol "tpc"`. */
  readonly noun: string
  readonly choices: readonly FieldChoice<T>[]
  /**
   * Folds spellings together before lookup (applied to choices and typed values alike);
   * lower-casing by default.
   */
  readonly normalize?: (text: string) => string
}

/** A field with a fixed set of values: `proto:tcp`, `state:close-wait`. */
export function choiceField<T>(options: ChoiceFieldOptions<T>): FieldDefinition<T> {
  const normalize = options.normalize ?? ((text: string) => text.toLowerCase())
  const byKey = new Map<string, FieldChoice<T>>()
  for (const choice of options.choices) {
    for (const name of [choice.name, ...(choice.aliases ?? [])]) byKey.set(normalize(name), choice)
  }
  const keys = [...byKey.keys()]
  return {
    ...describeField(options),
    compile(value): FieldValueResult<T> {
      const choice = byKey.get(normalize(value))
      if (choice !== undefined) return { ok: true, test: choice.test }
      const nearest = closestName(normalize(value), keys)
      const hint = nearest === null ? `expected ${options.choices.map((each) => each.name).join(', ')}` : `did you mean "${byKey.get(nearest)?.name ?? nearest}"?`
      return { ok: false, problem: `unknown ${options.noun} "${value}"`, hint }
    }
  }
}

/** Options of {@link addressField}. */
export interface AddressFieldOptions<T> extends FieldDescription {
  /**
   * Offers addresses as text or already parsed. Text is parsed on every test: the scanner is cheap
   * enough that a cache costs more than it saves. Text that is not an address never matches.
   */
  readonly select: ValueSelector<T, string | IpAddress>
}

/**
 * An IP address field: `addr:10.0.0.1`, `addr:10.0.0.0/8`, `addr:::1`, `addr:fe80::/10`.
 * IPv4 terms also match IPv4-mapped IPv6 addresses.
 */
export function addressField<T>(options: AddressFieldOptions<T>): FieldDefinition<T> {
  return {
    ...describeField(options),
    compile(value): FieldValueResult<T> {
      const network = parseAddressOrNetwork(value)
      if (!network.ok) return network
      const select = options.select
      const inNetwork = (value: string | IpAddress) => {
        const address = typeof value === 'string' ? parseIpAddress(value) : value
        return address !== null && networkContains(network.network, address)
      }
      return { ok: true, test: (record) => select(record, inNetwork) }
    }
  }
}

function parseAddressOrNetwork(value: string): { readonly ok: true; readonly network: IpNetwork } | { readonly ok: false; readonly problem: string; readonly hint: string } {
  if (value.includes('/')) {
    const parsed = parseIpNetwork(value)
    return parsed.ok ? parsed : { ok: false, problem: `bad CIDR "${value}"`, hint: parsed.reason }
  }
  const address = parseIpAddress(value)
  if (address === null) {
    return { ok: false, problem: `bad IP address "${value}"`, hint: 'write 10.0.0.1, ::1 or a CIDR like 10.0.0.0/8' }
  }
  return { ok: true, network: makeIpNetwork(address) }
}

function describeField(options: FieldDescription): FieldDescription {
  return options.aliases === undefined
    ? { syntax: options.syntax, description: options.description }
    : { syntax: options.syntax, description: options.description, aliases: options.aliases }
}
