/**
 * Which socket fields a provider fills on its OS. Linux fills every field of the socket field
 * table; the macOS and Windows providers say, field by field, why one stays empty there. A key
 * names a field of `shared/socket-field-table.ts`, or a group of them by the part before the dot
 * (`tcpInfo` for every `tcpInfo.*` field). The test beside each provider checks that every field
 * of the table has an answer, so a new field cannot be forgotten on an OS.
 */

/** Per field: null when the provider fills it, else why it is empty (null, 0 or none) on that OS. */
export type FieldAvailability = Readonly<Record<string, string | null>>

/** The answer for one field key: its own entry, else its group's; undefined when the table has neither. */
export function fieldAvailability(table: FieldAvailability, key: string): string | null | undefined {
  if (Object.hasOwn(table, key)) return table[key]
  const group = key.split('.')[0] ?? key
  return Object.hasOwn(table, group) ? table[group] : undefined
}

/** The fields every provider fills: the endpoints, state, owners and the row's id. */
export const FILLED_EVERYWHERE: FieldAvailability = {
  id: null,
  protocol: null,
  family: null,
  localAddress: null,
  localPort: null,
  remoteAddress: null,
  remotePort: null,
  state: null,
  pid: null,
  process: null,
  command: null,
  owners: null,
  ownerVisibility: null
}

/** Why a field about network namespaces is empty on an OS without them. */
export function withoutNetworkNamespaces(os: string): FieldAvailability {
  const reason = `${os} has no network namespaces.`
  return { netns: reason, container: reason }
}
