/** Reverse DNS: names for the remote addresses of the socket table, learned in the background. */

/** Reverse-DNS names learned since the last push, address → name. */
export interface ResolvedNames {
  readonly names: Readonly<Record<string, string>>
}

/** Whether the backend looks names up. */
export interface NameLookupSetting {
  readonly enabled: boolean
}
