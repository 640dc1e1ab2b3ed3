import type { Knex } from 'knex';
import { NotFoundError, ValidationError } from '../../platform/errors.js';
import type { RowsService } from '../rows/rows.service.js';
import { toRowView, type RowView } from '../rows/row-view.js';
import { Metadata, type TableView } from '../tables/metadata.js';
import type { TransactionRunner, UnitOfWork } from '../unit-of-work.js';
import type { WorkspaceAccess } from '../workspaces/workspace-access.js';
import { findAuditEntry } from './audit-entry.js';
import {
  planBatch,
  selectEntries,
  type BatchSelection,
  type IgnoredEntry,
  type PlannedChange,
  type PlanReader,
} from './batch-plan.js';
import { applyRowTarget, type RowRevertAction } from './row-revert.js';
import { stateAt, type SkippedColumn } from './row-state.js';
import {
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
  dryRun: boolean;
}

export interface BatchResult {
  dryRun: boolean;
  changes: PlannedChange[];
  ignored: IgnoredEntry[];
}

/**
 * Reverts recorded changes as new, audited changes, each request in one transaction:
 * - a row back to the state of one of its entries (after a create or update, before a delete);
 * - one schema change of a table (column add, restore, delete and update; table update);
 * - a batch: the row changes of a set of entries, or of one user in a time range, undone newest
 *   first, all or nothing, with a dry run that lists the changes and writes nothing.
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
   * Row entries only: schema changes are reverted one at a time (a time range leaves them out
   * and lists them under `ignored`; naming one is a 422). A dry run reads without locking and
   * writes nothing; a confirmed run plans again inside its transaction, rows locked, and applies.
   */
  async revertBatch(access: WorkspaceAccess, actorId: string, request: BatchRequest): Promise<BatchResult> {
    const selection = selectionOf(request);
    if (request.dryRun) {
      const { entries, ignored } = await selectEntries(this.knex, access, selection);
      return { dryRun: true, changes: await planBatch(this.reader(this.knex, access), entries), ignored };
    }
    return this.tx.run(actorId, async (uow) => {
      const { entries, ignored } = await selectEntries(uow.trx, access, selection);
      const tables = new Map<string, TableView>();
      const reader = this.reader(uow.trx, access, uow, tables);
      const changes = await planBatch(reader, entries);
      for (const change of changes)
        if (change.action !== 'none')
          await applyRowTarget(
            uow,
            access,
            this.rows,
            tables.get(change.tableId) as TableView,
            change.resourceId,
            change.to,
          );
      return { dryRun: false, changes, ignored };
    });
  }

  /** Plain reads for a dry run; inside a unit of work, tables FOR SHARE and rows FOR UPDATE. */
  private reader(
    db: Knex,
    access: WorkspaceAccess,
    uow?: UnitOfWork,
    tables?: Map<string, TableView>,
  ): PlanReader {
    return {
      table: async (tableId) => {
        const table = uow
          ? await this.rows.tableFor(uow, access, tableId)
          : await new Metadata(db, access.workspace.schemaName).table(tableId);
        tables?.set(tableId, table);
        return table;
      },
      row: async (table, rowId) => {
        const query = this.rows.rowsTable(db, access, table).where({ id: rowId });
        if (uow) void query.forUpdate();
        const raw = (await query.first()) as Record<string, unknown> | undefined;
        return raw && toRowView(table, raw);
      },
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
