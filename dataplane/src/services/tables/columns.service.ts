import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors.js';
import { isCheckViolation, isInvalidRegex, isUniqueViolation } from '../../store/pg-errors.js';
import {
  addUserColumn,
  alterUserColumnType,
  setPatternCheck,
  setUniqueIndex,
} from '../../store/user-tables/ddl.js';
import { userColumnName, userTableName } from '../../store/user-tables/names.js';
import { restoreUserColumn, trashUserColumn } from '../../store/user-tables/trash.js';
import { quoteIdent, runVerbatim } from '../../store/user-tables/verbatim.js';
import type { TransactionRunner, UnitOfWork } from '../unit-of-work.js';
import type { WorkspaceAccess } from '../workspaces/workspace-access.js';
import type { Column } from './column.js';
import { columnFromSpec, physicalColumnOf, type ColumnSpec } from './column-spec.js';
import { isStoredType, typeChangePlan } from './column-types.js';
import { assertColumnUnused } from './column-in-use.js';
import { checkFormulas } from './formula-check.js';
import { checkLinkedColumns, createLinkStorage } from './linked-columns.js';
import { rowAuditEntry } from '../rows/row-view.js';
import { Metadata, type TableView } from './metadata.js';
import { recordSchemaChange } from './schema-change.js';
import { assertDataKept } from './trashed-data.js';
import { applyConstraints, assertDistinctNames, columnRow } from './tables.service.js';

export type ColumnUpdate = Partial<ColumnSpec> & {
  /** A type change clears the cells that would not convert instead of refusing (422). */
  clearInvalid?: boolean;
};

/** How many unconvertible cells a refused type change shows. */
const EXAMPLES = 5;

/**
 * Columns of a table: metadata, the physical column and its constraints change together, and
 * each change is a new schema version with its audit entry. A type change converts the data with
 * ALTER … USING after checking which cells would not convert.
 */
export class ColumnsService {
  constructor(private readonly tx: TransactionRunner) {}

  async add(access: WorkspaceAccess, actorId: string, tableId: string, spec: ColumnSpec): Promise<Column> {
    return this.tx.run(actorId, async (uow) => {
      const { meta, table } = await this.locked(uow, access, tableId);
      const position = Math.max(-1, ...table.columns.map((c) => c.position)) + 1;
      const column = columnFromSpec(spec, tableId, position, 'body');
      assertDistinctNames([...table.columns, column]);
      await checkFormulas(meta, { ...table, columns: [...table.columns, column] }, () => 'body');
      await guard(() => meta.columns().insert(columnRow(column)));
      await checkLinkedColumns(
        meta,
        { ...table, columns: [...table.columns, column] },
        [column],
        () => 'body',
      );
      const physical = physicalColumnOf(column);
      if (physical) await addUserColumn(uow.trx, meta.schema, tableId, physical);
      await createLinkStorage(uow.trx, meta.schema, column);
      await guard(() => applyConstraints(uow.trx, meta.schema, column));
      await recordSchemaChange(uow, access, {
        tableId,
        action: 'column.add',
        resourceType: 'column',
        resourceId: column.id,
        after: column,
      });
      return column;
    });
  }

  async update(
    access: WorkspaceAccess,
    actorId: string,
    tableId: string,
    columnId: string,
    input: ColumnUpdate,
  ): Promise<Column> {
    return this.tx.run(actorId, async (uow) => {
      const { meta, table } = await this.locked(uow, access, tableId);
      const before = columnOf(table, columnId);
      const next = columnFromSpec(
        {
          name: input.name ?? before.name,
          type: input.type ?? before.type,
          options: input.options ?? (input.type && input.type !== before.type ? undefined : before.options),
          rules: input.rules ?? (input.type && input.type !== before.type ? undefined : before.rules),
          required: input.required ?? before.required,
          unique: input.unique ?? before.unique,
          default: input.default === undefined ? before.default : input.default,
        },
        tableId,
        before.position,
        'body',
      );
      const after: Column = { ...next, id: before.id };
      const columns = table.columns.map((c) => (c.id === columnId ? after : c));
      assertDistinctNames(columns);
      await checkFormulas(meta, { ...table, columns }, () => 'body');
      await checkLinkedColumns(meta, { ...table, columns }, [after], () => 'body');
      if (after.type !== before.type || JSON.stringify(after.options) !== JSON.stringify(before.options))
        await this.convert(uow, access, table, before, after, input.clearInvalid === true);
      await guard(() =>
        meta
          .columns()
          .where({ id: columnId })
          .update({ ...columnRow(after), updated_at: new Date() }),
      );
      if (physicalColumnOf(after)) {
        if (after.unique !== before.unique || after.type !== before.type)
          await guard(() => setUniqueIndex(uow.trx, meta.schema, tableId, columnId, after.unique));
        if (after.rules.pattern !== before.rules.pattern || after.type !== before.type)
          await guard(() => setPatternCheck(uow.trx, meta.schema, tableId, columnId, after.rules.pattern));
      }
      await recordSchemaChange(uow, access, {
        tableId,
        action: 'column.update',
        resourceType: 'column',
        resourceId: columnId,
        before,
        after,
      });
      return after;
    });
  }

  /** The column leaves the table; its data stays under a trash name until purged (revertable). */
  async delete(access: WorkspaceAccess, actorId: string, tableId: string, columnId: string): Promise<void> {
    await this.tx.run(actorId, async (uow) => {
      const { meta, table } = await this.locked(uow, access, tableId);
      const before = columnOf(table, columnId);
      await assertColumnUnused(meta, { ...table, columns: table.columns.filter((c) => c.id !== columnId) });
      await meta.columns().where({ id: columnId }).delete();
      if (physicalColumnOf(before)) await trashUserColumn(uow.trx, meta.schema, tableId, columnId);
      if (table.settings.primaryColumnId === columnId)
        await meta
          .tables()
          .where({ id: tableId })
          .update({ settings: JSON.stringify({ ...table.settings, primaryColumnId: undefined }) });
      await recordSchemaChange(uow, access, {
        tableId,
        action: 'column.delete',
        resourceType: 'column',
        resourceId: columnId,
        before,
      });
    });
  }

  /**
   * Brings a deleted column back with its id (reverting its deletion): the metadata it had, its
   * data renamed back from the trash, its constraints rebuilt; recorded as `column.restore`.
   * 409 when the column exists or its data has been purged.
   */
  async restore(access: WorkspaceAccess, actorId: string, tableId: string, column: Column): Promise<Column> {
    return this.tx.run(actorId, async (uow) => {
      const { meta, table } = await this.locked(uow, access, tableId);
      if (table.columns.some((c) => c.id === column.id))
        throw new ConflictError('The column exists; there is nothing to restore', 'already_reverted');
      const restored: Column = { ...column, tableId };
      const columns = [...table.columns, restored];
      assertDistinctNames(columns);
      await checkFormulas(meta, { ...table, columns }, () => 'body');
      const physical = physicalColumnOf(restored);
      await assertDataKept(uow.trx, meta.schema, tableId, restored);
      await guard(() => meta.columns().insert(columnRow(restored)));
      if (physical) await restoreUserColumn(uow.trx, meta.schema, tableId, column.id);
      await guard(() => applyConstraints(uow.trx, meta.schema, restored));
      await recordSchemaChange(uow, access, {
        tableId,
        action: 'column.restore',
        resourceType: 'column',
        resourceId: column.id,
        after: restored,
      });
      return restored;
    });
  }

  /** New column order: every column id of the table exactly once. */
  async reorder(
    access: WorkspaceAccess,
    actorId: string,
    tableId: string,
    columnIds: string[],
  ): Promise<Column[]> {
    return this.tx.run(actorId, async (uow) => {
      const { meta, table } = await this.locked(uow, access, tableId);
      const known = new Set(table.columns.map((c) => c.id));
      if (
        columnIds.length !== known.size ||
        new Set(columnIds).size !== known.size ||
        columnIds.some((id) => !known.has(id))
      )
        throw new ValidationError('invalid column order', [
          { path: 'columnIds', message: 'must list every column of the table exactly once' },
        ]);
      for (const [position, id] of columnIds.entries())
        await meta.columns().where({ id }).update({ position });
      await recordSchemaChange(uow, access, {
        tableId,
        action: 'column.reorder',
        resourceType: 'table',
        resourceId: tableId,
        before: table.columns.map((c) => c.id),
        after: columnIds,
      });
      return columnIds.map((id, position) => ({ ...columnOf(table, id), position }));
    });
  }

  /**
   * Converts the stored data for a type (or options) change. Cells that would not convert make
   * it a 422 with examples, or are cleared (each cleared row audited) when the caller asked.
   */
  private async convert(
    uow: UnitOfWork,
    access: WorkspaceAccess,
    table: TableView,
    before: Column,
    after: Column,
    clearInvalid: boolean,
  ): Promise<void> {
    const stored = [isStoredType(before.type), isStoredType(after.type)];
    const relinked =
      (before.type === 'link' || after.type === 'link') &&
      (before.type !== after.type || before.options.tableId !== after.options.tableId);
    if (relinked)
      throw new ValidationError('unsupported type change', [
        { path: 'body.type', message: 'a link column keeps its type and table; add a new column instead' },
      ]);
    if (!stored[0] && !stored[1]) return;
    const plan = stored[0] && stored[1] ? typeChangePlan(before, after) : undefined;
    const target = physicalColumnOf(after);
    if (!plan || !target)
      throw new ValidationError('unsupported type change', [
        {
          path: 'body.type',
          message: `${before.type} cannot become ${after.type}; add a new column and copy the data`,
        },
      ]);
    const schema = access.workspace.schemaName;
    const column = quoteIdent(userColumnName(before.id));
    const failing = plan.failing(column);
    if (failing) {
      await runVerbatim(uow.trx, 'SET LOCAL standard_conforming_strings = on'); // choice literals are '…'-quoted
      const rows = uow.trx.withSchema(schema).table(userTableName(table.id));
      const bad = (await runVerbatim(
        uow.trx,
        `SELECT id, ${column} AS value FROM ${quoteIdent(schema)}.${quoteIdent(userTableName(table.id))} ` +
          `WHERE ${column} IS NOT NULL AND (${failing}) ORDER BY id FOR UPDATE`,
      )) as { id: string; value: unknown }[];
      if (bad.length > 0 && !clearInvalid)
        throw new ValidationError(
          `${bad.length} cell(s) cannot become ${after.type}; send clearInvalid: true to clear them`,
          bad.slice(0, EXAMPLES).map((b) => ({
            path: `rows[${b.id}].${before.name}`,
            message: `cannot convert ${JSON.stringify(b.value)?.slice(0, 100)}`,
          })),
          'type_change_failed',
        );
      if (bad.length > 0) {
        await rows
          .clone()
          .whereIn(
            'id',
            bad.map((b) => b.id),
          )
          .update({
            [userColumnName(before.id)]: null,
            version: uow.trx.raw('version + 1'),
            updated_at: new Date(),
            updated_by: uow.actorId,
          });
        await uow.auditMany(
          bad.map((b) =>
            rowAuditEntry(access.workspace.id, table.id, 'row.update', b.id, {
              before: { fields: { [before.id]: b.value } },
              after: { fields: { [before.id]: null }, reason: 'type_change' },
            }),
          ),
          schema,
        );
      }
    }
    await alterUserColumnType(uow.trx, schema, table.id, before.id, target.sqlType, (c) => plan.using(c));
  }

  private async locked(uow: UnitOfWork, access: WorkspaceAccess, tableId: string) {
    const meta = new Metadata(uow.trx, access.workspace.schemaName);
    return { meta, table: await meta.table(tableId, { lock: true }) };
  }
}

function columnOf(table: TableView, columnId: string): Column {
  const column = table.columns.find((c) => c.id === columnId);
  if (!column) throw new NotFoundError('Column');
  return column;
}

/** Constraint failures of a schema change as the caller's problem (409 or 422), never a 500. */
async function guard<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error))
      throw new ConflictError('Existing values or names collide with this change', 'unique_violation');
    if (isCheckViolation(error))
      throw new ValidationError('existing values do not match the pattern', [
        { path: 'body.rules.pattern', message: 'existing values do not match' },
      ]);
    if (isInvalidRegex(error))
      throw new ValidationError('invalid pattern', [
        { path: 'body.rules.pattern', message: 'is not a valid regular expression' },
      ]);
    throw error;
  }
}
