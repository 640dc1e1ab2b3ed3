import { isDeepStrictEqual } from 'node:util';
import type { Knex } from 'knex';

/** A stale write further behind than this many versions conflicts: its history is not read. */
export const MERGE_HISTORY_LIMIT = 1_000;
/** Entries read beyond the versions asked for, so a few written out of time order still fit. */
const SLACK = 16;

interface EntryRow {
  action: string;
  before: unknown;
  after: unknown;
}

interface RecordedState {
  version?: number;
  fields: Record<string, unknown>;
}

/**
 * The columns (by id) that the row's versions after `base`, up to `current`, changed, read from
 * its audit entries, which record each update's state before and after (ADR 0021). Undefined
 * when that history cannot be told whole: entries purged by retention, a row deleted and brought
 * back in between, a version the row never had, more than MERGE_HISTORY_LIMIT versions. Callers
 * treat that as a conflict.
 */
export async function columnsChangedSince(
  db: Knex,
  schema: string,
  target: { tableId: string; rowId: string },
  base: number,
  current: number,
): Promise<Set<string> | undefined> {
  const distance = current - base;
  if (distance <= 0 || distance > MERGE_HISTORY_LIMIT) return undefined;
  const entries = (await db
    .withSchema(schema)
    .table('audit_logs')
    .where({ resource_type: 'row', resource_id: target.rowId, parent_id: target.tableId })
    .orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(distance + SLACK)
    .select('action', 'before', 'after')) as EntryRow[];
  const missing = new Set(Array.from({ length: distance }, (_, i) => base + 1 + i));
  const changed = new Set<string>();
  for (const entry of entries) {
    if (missing.size === 0) break;
    // Newest first: a create or delete before every version is found ends the row's history.
    if (entry.action !== 'row.update') return undefined;
    const before = recorded(entry.before);
    const after = recorded(entry.after);
    if (!before || !after) return undefined;
    if (after.version !== undefined) {
      if (!missing.has(after.version)) continue; // as old as `base`, or older
      missing.delete(after.version);
    }
    // An entry without a version (cells a type change cleared) cannot be placed: its columns
    // count as changed, and it stands for no version.
    for (const column of changedColumns(before.fields, after.fields)) changed.add(column);
  }
  return missing.size === 0 ? changed : undefined;
}

function recorded(state: unknown): RecordedState | undefined {
  if (typeof state !== 'object' || state === null) return undefined;
  const { version, fields } = state as { version?: unknown; fields?: unknown };
  if (typeof fields !== 'object' || fields === null) return undefined;
  return {
    ...(typeof version === 'number' ? { version } : {}),
    fields: fields as Record<string, unknown>,
  };
}

function changedColumns(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const columns = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...columns].filter((c) => !isDeepStrictEqual(before[c], after[c]));
}
