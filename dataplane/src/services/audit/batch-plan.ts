import { AppError, ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.js';
import { isUuid } from '../../platform/ids.js';
import type { TableView } from '../tables/metadata.js';
import type { AuditRow } from './audit-entry.js';
import type { PlannedState } from './planned-state.js';
import type { RowRevertAction } from './row-revert.js';
import {
  fitFields,
  isRowEntry,
  isSchemaConsequence,
  stateBefore,
  type RowState,
  type SkippedColumn,
} from './row-state.js';
import {
  isSchemaEntry,
  notRevertable,
  planSchemaUndo,
  undoneTable,
  type SchemaUndo,
} from './schema-revert.js';

interface PlannedEntry {
  /** The entry undone, and its action. */
  auditLogId: string;
  entryAction: string;
  resourceId: string;
  tableId: string;
}

/** Undoing a row entry: the row's state before and after. */
export interface PlannedRowChange extends PlannedEntry {
  resourceType: 'row';
  /** What undoing the entry does to the row now. */
  action: RowRevertAction;
  from: RowState | null;
  to: { fields: Record<string, unknown> } | null;
  skippedColumns: SkippedColumn[];
}

/** Undoing a schema entry: the column (or table) as it is, and as it becomes. */
export type PlannedSchemaChange = PlannedEntry & SchemaUndo;

export type PlannedChange = PlannedRowChange | PlannedSchemaChange;

/** An entry of a time range the batch leaves alone, with the problem naming it would answer. */
export interface IgnoredEntry {
  auditLogId: string;
  action: string;
  code: string;
  detail: string;
}

export interface BatchPlan {
  changes: PlannedChange[];
  ignored: IgnoredEntry[];
}

export interface PlanOptions {
  /** A range: entries that cannot be undone are listed under `ignored`, not refused. */
  lenient: boolean;
  /** Whether the caller may change this table's schema (as the schema revert route asks). */
  maySchema(table: TableView): Promise<boolean>;
}

/** Why an entry of a range is left out rather than failing the batch: it cannot be undone. */
const IGNORABLE = new Set([
  'not_revertable',
  'already_reverted',
  'revert_conflict',
  'data_purged',
  'forbidden',
  'schema_consequence',
]);

/**
 * Undoes each entry in turn, newest first, on the planned state: each change starts from what
 * the previous ones left (a row change after a column's deletion skips that column; one after
 * its restore sees its data again), so the list says exactly what applying it does. Values and
 * schema changes are checked here, so a dry run fails as the real run would.
 */
export async function planBatch(
  state: PlannedState,
  entries: readonly AuditRow[],
  options: PlanOptions,
): Promise<BatchPlan> {
  const plan: BatchPlan = { changes: [], ignored: [] };
  const undoneTypeChanges = new Set<string>();
  for (const entry of entries) {
    try {
      if (isRowEntry(entry)) {
        if (options.lenient && isSchemaConsequence(entry) && !undoneTypeChanges.has(consequenceKey(entry)))
          throw new ValidationError(
            'cells a type change cleared come back only with the type change itself',
            [],
            'schema_consequence',
          );
        plan.changes.push(await planRow(state, entry));
      } else {
        const change = await planSchema(state, entry, options);
        if (change.action === 'column.update') undoneTypeChanges.add(typeChangeKey(entry));
        plan.changes.push(change);
      }
    } catch (error) {
      const refusal = aboutEntry(error, entry.id);
      if (!(options.lenient && refusal instanceof AppError && IGNORABLE.has(refusal.code))) throw refusal;
      const detail = refusal.message.slice(entryPrefix(entry.id).length);
      plan.ignored.push({ auditLogId: entry.id, action: entry.action, code: refusal.code, detail });
    }
  }
  return plan;
}

async function planRow(state: PlannedState, entry: AuditRow): Promise<PlannedRowChange> {
  const rowId = entry.resource_id as string;
  const tableId = entry.parent_id;
  if (!tableId || !isUuid(rowId))
    throw new ValidationError('the entry names no row of a table', [], 'not_revertable');
  const table = await tableOf(state, tableId);
  const from = await state.row(table, rowId);
  const target = stateBefore(entry);
  const fitted = target ? fitFields(table, target.fields, from ? 'patch' : 'create') : undefined;
  const to = fitted ? { fields: fitted.input } : null;
  const action = actionOf(from, to);
  if (action !== 'none')
    state.setRow(
      rowId,
      to && { version: (from?.version ?? 0) + 1, fields: { ...from?.fields, ...to.fields } },
    );
  const skippedColumns = (fitted?.skipped ?? []).map((skipped) => {
    const deletedBy = skipped.reason === 'column_deleted' ? state.deletedBy(skipped.columnId) : undefined;
    return deletedBy ? { ...skipped, deletedBy } : skipped;
  });
  return {
    auditLogId: entry.id,
    entryAction: entry.action,
    resourceType: 'row',
    resourceId: rowId,
    tableId,
    action,
    from,
    to,
    skippedColumns,
  };
}

async function planSchema(
  state: PlannedState,
  entry: AuditRow,
  options: PlanOptions,
): Promise<PlannedSchemaChange> {
  if (!isSchemaEntry(entry)) throw notRevertable(entry);
  const tableId = entry.parent_id;
  if (!tableId || !entry.resource_id)
    throw new ValidationError('the entry names no table', [], 'not_revertable');
  const table = await tableOf(state, tableId);
  if (!(await options.maySchema(table)))
    throw new ForbiddenError('Your role on this table lacks schema:manage, which its schema changes need');
  const undo = planSchemaUndo(table, entry);
  if (undo.action === 'column.restore') await state.reader.assertDataKept(tableId, undo.to);
  const after = undoneTable(table, undo);
  await state.reader.checkUndoneTable(undo, after);
  state.setTable(table, undo, entry.id);
  return { auditLogId: entry.id, entryAction: entry.action, resourceId: entry.resource_id, tableId, ...undo };
}

/** A table gone (deleted, or archived) since the entry: the entry cannot be undone. */
async function tableOf(state: PlannedState, tableId: string): Promise<TableView> {
  try {
    return await state.table(tableId);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    throw new ValidationError('its table no longer exists or is archived', [], 'not_revertable');
  }
}

function actionOf(from: RowState | null, to: { fields: Record<string, unknown> } | null): RowRevertAction {
  if (!to) return from ? 'row.delete' : 'none';
  if (!from) return 'row.create';
  const same = Object.entries(to.fields).every(
    ([columnId, value]) => JSON.stringify(from.fields[columnId] ?? null) === JSON.stringify(value ?? null),
  );
  return same ? 'none' : 'row.update';
}

/** A type change and the cell entries it wrote share their table, column and transaction time. */
const typeChangeKey = (entry: AuditRow): string =>
  `${entry.parent_id}/${entry.resource_id}/${entry.created_at_us}`;
const consequenceKey = (entry: AuditRow): string =>
  `${entry.parent_id}/${Object.keys((entry.after as { fields?: object } | null)?.fields ?? {}).join()}/${entry.created_at_us}`;

/**
 * A refusal names the entry it came from: `auditLogId` in the problem and in its detail. What
 * the entry changed being gone is the entry's problem (422), not a 404 of the call.
 */
export function aboutEntry(error: unknown, entryId: string): unknown {
  if (error instanceof NotFoundError)
    return withEntry(
      new ValidationError(
        `${entryPrefix(entryId)}what it changed no longer exists (${error.message})`,
        [{ path: `entries.${entryId}`, message: error.message }],
        'not_revertable',
      ),
      entryId,
    );
  if (error instanceof ValidationError)
    return withEntry(
      new ValidationError(
        `${entryPrefix(entryId)}${error.message}`,
        error.errors.map((p) => ({ ...p, path: `entries.${entryId}.${p.path}` })),
        error.code,
      ),
      entryId,
    );
  if (error instanceof AppError && error.status < 500) {
    error.message = `${entryPrefix(entryId)}${error.message}`;
    return withEntry(error, entryId);
  }
  return error;
}

const entryPrefix = (entryId: string): string => `audit entry ${entryId}: `;

function withEntry<E extends AppError>(error: E, entryId: string): E {
  error.extensions.auditLogId = entryId;
  return error;
}
