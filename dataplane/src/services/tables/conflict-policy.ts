/**
 * What a row write based on a stale version does (ADR 0021): `merge` applies a PATCH whose fields
 * nobody changed since its version, `lastWriteWins` ignores versions, `reject` refuses any stale
 * version.
 */
export const CONFLICT_POLICIES = ['merge', 'lastWriteWins', 'reject'] as const;
export type ConflictPolicy = (typeof CONFLICT_POLICIES)[number];

/** The default: a clash is still a 409, so merging never overwrites what `reject` would keep. */
export const DEFAULT_CONFLICT_POLICY: ConflictPolicy = 'merge';

/** A table's policy: the one its settings name, else the default. */
export const conflictPolicyOf = (table: { settings: { conflictPolicy?: ConflictPolicy } }): ConflictPolicy =>
  table.settings.conflictPolicy ?? DEFAULT_CONFLICT_POLICY;

/** The version a write is checked against: none when the last write wins. */
export const checkedVersion = (policy: ConflictPolicy, version: number | undefined): number | undefined =>
  policy === 'lastWriteWins' ? undefined : version;
