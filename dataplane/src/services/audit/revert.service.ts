import type { Knex } from 'knex';
import { NotFoundError, ValidationError } from '../../platform/errors.js';
import { roleOnBase } from '../bases/role-on-base.js';
import { can } from '../rbac/permissions.js';
import type { RowsService } from '../rows/rows.service.js';
import type { RowView } from '../rows/row-view.js';
import { Metadata, type TableView } from '../tables/metadata.js';
import { assertDataKept } from '../tables/trashed-data.js';
import type { TransactionRunner, UnitOfWork } from '../unit-of-work.js';
import type { WorkspaceAccess } from '../workspaces/workspace-access.js';
import { findAuditEntry } from './audit-entry.js';
import { applyBatch } from './batch-apply.js';
import { planBatch, type BatchPlan } from './batch-plan.js';
import { selectEntries, type BatchSelection, type SelectedEntries } from './batch-selection.js';
import { PlannedState, type PlanReader, type StoredRow } from './planned-state.js';
import { applyRowTarget, type RowRevertAction } from './row-revert.js';
import { stateAt, type SkippedColumn } from './row-state.js';
import {
  checkUndoneTable,
  isSchemaEntry,
  notRevertable,
  revertSchemaEntry,
  SCHEMA_REVERTS,
  type SchemaRevertOptions,
} from './schema-revert.js';

export interface RowRevertResult {
  auditLogId: string;
  action: RowRevertAction;
  row: RowView | null;
  skippedColumns: SkippedColumn[];
}

export interface SchemaRevertResult {
  auditLogId: string;
  action: string;
  table: TableView;
}

export interface BatchRequest {
  auditLogIds?: string[];
  actorId?: string;
  from?: string;
  to?: string;
  /** A type change undone clears the cells that would not convert back instead of a 422. */
  clearInvalid?: boolean;
  dryRun: boolean;
}

export interface BatchResult extends BatchPlan {
  dryRun: boolean;
}

/**
 * Reverts recorded changes as new, audited changes, each request in one transaction:
 * - a row back to the state of one of its entries (after a create or update, before a delete);
 * - one schema change of a table (column add, restore, delete and update; table update);
 * - a batch: the row and schema changes of a set of entries, or of one user in a time range,
 *   undone newest first, all or nothing, with a dry run that lists the changes and writes nothing.
 */
export class RevertService {
  constructor(
    private readonly knex: Knex,
    private readonly tx: TransactionRunner,
    private readonly rows: RowsService,
  ) {}

  async revertRow(
    access: WorkspaceAccess,
    actorId: string,
    rowId: string,
    auditLogId: string,
    options: { version?: number },
  ): Promise<RowRevertResult> {
    return this.tx.run(actorId, async (uow) => {
      const entry = await findAuditEntry(uow.trx, access, auditLogId);
      if (!entry || entry.resource_type !== 'row' || entry.resource_id !== rowId)
        throw new NotFoundError('Audit log entry');
      const target = stateAt(entry);
      if (!entry.parent_id) throw new ValidationError('the entry names no table', [], 'not_revertable');
      const table = await this.rows.tableFor(uow, access, entry.parent_id);
      const applied = await applyRowTarget(uow, access, this.rows, table, rowId, target, options.version);
      return {
        auditLogId,
        action: applied.action,
        row: applied.row && (await this.rows.answer(uow.trx, access, table, applied.row, 'name')),
        skippedColumns: applied.skippedColumns,
      };
    });
  }

  /** The entry must be one of the table's (404 otherwise, as for another workspace's ids). */
  async revertSchema(
    access: WorkspaceAccess,
    actorId: string,
    tableId: string,
    auditLogId: string,
    options: SchemaRevertOptions,
  ): Promise<SchemaRevertResult> {
    return this.tx.run(actorId, async (uow) => {
      const entry = await findAuditEntry(uow.trx, access, auditLogId);
      if (!entry || entry.parent_id !== tableId) throw new NotFoundError('Audit log entry');
      if (!Object.hasOwn(SCHEMA_REVERTS, entry.action)) throw notRevertable(entry);
      const action = await revertSchemaEntry(uow, access, tableId, entry, options);
      return {
        auditLogId,
        action,
        table: await new Metadata(uow.trx, access.workspace.schemaName).table(tableId),
      };
    });
  }

  /**
   * Row and schema entries, newest first, all or nothing. A dry run reads without locking and
   * writes nothing; a confirmed run plans again inside its transaction (the tables it changes
   * the schema of FOR UPDATE, in id order, before anything else; the rows FOR UPDATE) and
   * applies exactly that plan. Schema entries need schema:manage on their table, as the schema
   * revert route asks (a base role may narrow it).
   */
  async revertBatch(access: WorkspaceAccess, actorId: string, request: BatchRequest): Promise<BatchResult> {
    const selection = selectionOf(request);
    const options = { clearInvalid: request.clearInvalid === true };
    if (request.dryRun) {
      const selected = await selectEntries(this.knex, access, selection);
      const plan = await this.plan(this.knex, access, actorId, selected);
      return { dryRun: true, ...plan };
    }
    return this.tx.run(actorId, async (uow) => {
      const selected = await selectEntries(uow.trx, access, selection);
      const schemaTables = new Set(selected.entries.filter(isSchemaEntry).flatMap((e) => e.parent_id ?? []));
      const meta = new Metadata(uow.trx, access.workspace.schemaName);
      for (const tableId of [...schemaTables].sort()) await meta.tables().where({ id: tableId }).forUpdate();
      const plan = await this.plan(uow.trx, access, actorId, selected, { uow, schemaTables });
      await applyBatch(uow, access, this.rows, plan.changes, options);
      return { dryRun: false, ...plan };
    });
  }

  private async plan(
    db: Knex,
    access: WorkspaceAccess,
    actorId: string,
    selected: SelectedEntries,
    locked?: { uow: UnitOfWork; schemaTables: ReadonlySet<string> },
  ): Promise<BatchPlan> {
    const byBase = new Map<string, Promise<boolean>>();
    const maySchema = (table: TableView): Promise<boolean> => {
      const known = byBase.get(table.baseId);
      if (known) return known;
      const may = roleOnBase(db, access, actorId, table.baseId).then((role) => can(role, 'schema:manage'));
      byBase.set(table.baseId, may);
      return may;
    };
    return planBatch(new PlannedState(this.reader(db, access, locked)), selected.entries, {
      lenient: selected.lenient,
      maySchema,
    });
  }

  /**
   * Plain reads for a dry run. Inside the write: tables FOR SHARE as row writes take them, or
   * (already locked) FOR UPDATE when the batch changes their schema; rows FOR UPDATE.
   */
  private reader(
    db: Knex,
    access: WorkspaceAccess,
    locked?: { uow: UnitOfWork; schemaTables: ReadonlySet<string> },
  ): PlanReader {
    const schema = access.workspace.schemaName;
    const meta = new Metadata(db, schema);
    return {
      table: (tableId) => {
        if (!locked) return meta.table(tableId);
        if (locked.schemaTables.has(tableId)) return meta.table(tableId, { lock: true });
        return this.rows.tableFor(locked.uow, access, tableId);
      },
      row: async (table, rowId) => {
        const query = this.rows.rowsTable(db, access, table).where({ id: rowId });
        if (locked) void query.forUpdate();
        return (await query.first()) as StoredRow | undefined;
      },
      assertDataKept: (tableId, column) => assertDataKept(db, schema, tableId, column),
      checkUndoneTable: (undo, after) => checkUndoneTable(meta, undo, after),
    };
  }
}

/** Exactly one way of choosing entries: a list of ids, or an actor with a time range. */
function selectionOf(request: BatchRequest): BatchSelection {
  const { auditLogIds, actorId, from, to } = request;
  const ranged = actorId !== undefined || from !== undefined || to !== undefined;
  if (auditLogIds !== undefined && !ranged && auditLogIds.length > 0) return { auditLogIds };
  if (auditLogIds === undefined && actorId !== undefined && from !== undefined && to !== undefined)
    return { actorId, from, to };
  throw new ValidationError('name the entries to revert', [
    { path: 'body', message: 'give either auditLogIds, or actorId with from and to' },
  ]);
}
