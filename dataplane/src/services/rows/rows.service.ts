import type { Knex } from 'knex';
import {
  ConflictError,
  NotFoundError,
  ValidationError,
  VersionConflictError,
} from '../../platform/errors.js';
import { isUuid, newId } from '../../platform/ids.js';
import type { QueryResult } from '../../query/lqp.js';
import { runSqlQuery } from '../../query/sql/index.js';
import { isForeignKeyViolation, isStatementTimeout, isStaleStatement } from '../../store/pg-errors.js';
import { replaceLinks } from '../../store/user-tables/links.js';
import { deleteRowsAudited, insertRowsAudited, type RowEntries } from './row-writes-audited.js';
import { userColumnName, userTableName } from '../../store/user-tables/names.js';
import { checkAttachmentCells } from '../attachments/attachment-cells.js';
import type { Column } from '../tables/column.js';
import { Metadata, type TableView } from '../tables/metadata.js';
import type { TableCache, TableReadModel } from '../tables/table-cache.js';
import type { StatementUnit, TransactionRunner, UnitOfWork } from '../unit-of-work.js';
import type { WorkspaceAccess } from '../workspaces/workspace-access.js';
import { hasLinkedColumns, mergeLinked, readLinkedValues } from './linked-values.js';
import { runPreparedPage } from './prepared-page.js';
import { explainRowCount } from './row-count.js';
import { updateRowAudited, type RowUpdateOutcome } from './row-update.js';
import { runVerbatim, type SqlRunner } from '../../store/user-tables/verbatim.js';
import { userReferenceProblems } from './user-references.js';
import { RowLocks } from './row-locks.js';
import { bulkColumns } from './insert-columns.js';
import { bulkError, fieldsError } from './row-problems.js';
import { fromQueryRow, readRows } from './row-read.js';
import { filteredFields, rowListQuery, type RowListParams } from './row-query.js';
import {
  encodeFields,
  encodeRows,
  type EncodedFields,
  type FieldsInput,
  type WriteMode,
} from './row-values.js';
import { fieldsBefore, pick, toRowView, type FieldKey, type RowView } from './row-view.js';
import { rowWriteError } from './row-write-errors.js';
import { checkedVersion, conflictPolicyOf, type ConflictPolicy } from '../tables/conflict-policy.js';
import { columnsChangedSince } from './row-history.js';
import { fieldKeysOf, rowVersionConflict } from './row-conflict.js';
import { resolutionFields, type ResolutionInput } from './row-resolution.js';

export type CountMode = 'none' | 'estimate' | 'exact';

export interface RowPage {
  data: RowView[];
  nextCursor: string | null;
  /** `count=estimate|exact`: rows matching the filter; null when an exact count ran out of time. */
  count?: number | null;
  countKind?: 'estimate' | 'exact';
}

export interface RowsDefaults {
  /** How long `count=exact` may run before it answers null. */
  exactCountTimeoutMs: number;
  /** Told of every sorted list (the index advisor builds indexes for columns sorted often). */
  onSort?: (schema: string, tableId: string, column: Column, direction: 'asc' | 'desc') => void;
  /** Told of every column a list filters on with an index-friendly operator. */
  onFilter?: (schema: string, tableId: string, column: Column) => void;
}

type Raw = Record<string, unknown>;

/** An update's statement run: the row it wrote, or the row as it is when the version was stale. */
type Attempt = { ok: true; row: RowView; before: Record<string, unknown> } | { ok: false; current: Raw };

/**
 * Merge attempts of one stale PATCH. The first stale attempt already holds the row FOR UPDATE
 * until commit, so the second one cannot find it moved; the bound is a guard, not a budget.
 */
const MERGE_ATTEMPTS = 3;

/** A row id that is no UUID names no row: 404, before it reaches a uuid column (22P02, a 500). */
function assertRowId(rowId: string): void {
  if (!isUuid(rowId)) throw new NotFoundError('Row');
}

/** Rows read back per query after a bulk write (the query layer's page limit). */
const READ_BACK_PAGE = 1_000;

/**
 * Rows of a mini-DB table. Reads go through the query layer (filters, sorts, formulas, keyset
 * pages); writes are parameterized DML on `t_<id>` with the row's version checked and bumped,
 * its audit entry (before and after) and its event in the same transaction.
 */
export class RowsService {
  readonly locks: RowLocks;

  constructor(
    private readonly knex: Knex,
    private readonly tx: TransactionRunner,
    private readonly tables: TableCache,
    private readonly defaults: RowsDefaults,
  ) {
    this.locks = new RowLocks();
  }

  async list(
    access: WorkspaceAccess,
    tableId: string,
    params: RowListParams,
    count: CountMode,
    fieldKey: FieldKey,
  ): Promise<RowPage> {
    return this.withReadModel(access, tableId, (model) =>
      this.listWith(access, model, params, count, fieldKey),
    );
  }

  async get(access: WorkspaceAccess, tableId: string, rowId: string, fieldKey: FieldKey): Promise<RowView> {
    assertRowId(rowId);
    const [row] = await this.withReadModel(access, tableId, (model) =>
      readRows(this.knex, access.workspace.schemaName, model.table, [rowId], fieldKey, model.source),
    );
    if (!row) throw new NotFoundError('Row');
    return row;
  }

  /**
   * Runs a read against the table's cached read model. Another replica may have changed the
   * table a moment ago, before this one heard of it: a read that then fails as stale metadata
   * would (an unknown column, a field the query does not know) checks the table's schema
   * version once, and on a newer one forgets the workspace's cache and runs again.
   */
  private async withReadModel<T>(
    access: WorkspaceAccess,
    tableId: string,
    read: (model: TableReadModel) => Promise<T>,
  ): Promise<T> {
    const model = await this.tables.readModel(access, tableId);
    try {
      return await read(model);
    } catch (error) {
      if (!isStaleStatement(error) && !(error instanceof ValidationError)) throw error;
      const current = await new Metadata(this.knex, access.workspace.schemaName).findTable(tableId);
      if (current?.schemaVersion === model.table.schemaVersion) throw error;
      this.tables.forgetWorkspace(access.workspace.id);
      return read(await this.tables.readModel(access, tableId));
    }
  }

  private async listWith(
    access: WorkspaceAccess,
    model: TableReadModel,
    params: RowListParams,
    count: CountMode,
    fieldKey: FieldKey,
  ): Promise<RowPage> {
    const schema = access.workspace.schemaName;
    const { table, source } = model;
    const { query, selected } = rowListQuery(schema, table, params, source);
    const statement = model.statements.prepare(query, source.catalog);
    const result = await runPreparedPage(this.knex, statement, String(table.schemaVersion));
    for (const sort of query.sorts ?? []) {
      const column = table.columns.find((c) => c.name === sort.field);
      if (column) this.defaults.onSort?.(schema, table.id, column, sort.direction ?? 'asc');
    }
    for (const field of filteredFields(query.filter)) {
      const column = table.columns.find((c) => c.name === field);
      if (column) this.defaults.onFilter?.(schema, table.id, column);
    }
    const data = result.rows.map((row) => fromQueryRow(row, selected, fieldKey));
    const linked = hasLinkedColumns(table)
      ? await readLinkedValues(
          this.knex,
          schema,
          table,
          data.map((r) => r.id),
          fieldKey,
          params.fields ? new Set(selected.map((c) => c.id)) : undefined,
        )
      : undefined;
    const page: RowPage = { data: linked ? mergeLinked(data, linked) : data, nextCursor: result.nextCursor };
    if (count === 'estimate') {
      page.count = await explainRowCount(this.knex, query, source.catalog);
      page.countKind = 'estimate';
    } else if (count === 'exact') {
      page.count = await this.exactCount(query, source.catalog);
      page.countKind = 'exact';
    }
    return page;
  }

  async create(
    access: WorkspaceAccess,
    actorId: string,
    tableId: string,
    fields: FieldsInput,
    fieldKey: FieldKey,
  ): Promise<RowView> {
    return this.tx.run(actorId, async (uow) => {
      const table = await this.tableFor(uow, access, tableId);
      const [row] = await this.insertRows(uow, access, table, [fields]);
      return this.answer(uow.trx, access, table, row as RowView, fieldKey);
    });
  }

  /**
   * PATCH (`patch`) or PUT (`replace`) based on `version` (when given), by the table's conflict
   * policy (ADR 0021): a stale version is a 409 with both sides (`reject`), is ignored
   * (`lastWriteWins`), or merges a PATCH whose fields no later version changed (`merge`).
   * A change the row's own statement makes whole (no links to rewrite, no computed field to read
   * back) runs as that one statement, audit entry included, encoded against the cached table and
   * checked against its schema version (ADR 0015); anything else, a table whose schema moved
   * meanwhile, or a stale version, runs in a transaction that reads the table first.
   * `policy` overrides the table's (resolving a conflict is never merged).
   */
  async update(
    access: WorkspaceAccess,
    actorId: string,
    tableId: string,
    rowId: string,
    input: { fields: FieldsInput; version?: number },
    mode: Extract<WriteMode, 'patch' | 'replace'>,
    fieldKey: FieldKey,
    policy?: ConflictPolicy,
  ): Promise<RowView> {
    assertRowId(rowId);
    const { table } = await this.tables.readModel(access, tableId);
    const encoded = encodeFields(table, input.fields, mode);
    if (encoded.ok && oneStatementWrite(table, encoded.fields)) {
      // The cached table's policy holds: the statement requires its schema version, which every
      // change of the table's settings moves.
      const version = checkedVersion(policy ?? conflictPolicyOf(table), input.version);
      const done = await this.tx.runStatement(actorId, (unit) =>
        this.updateOne(unit, access, table, rowId, encoded.fields.values, version, fieldKey),
      );
      if (done) return done;
    }
    return this.tx.run(actorId, async (uow) => {
      const current = await this.tableFor(uow, access, tableId);
      const again = encodeFields(current, input.fields, mode);
      if (!again.ok) throw fieldsError(again.problems);
      const write = { mine: input.fields, version: input.version, encoded: again.fields, mode };
      const row = await this.updateByPolicy(uow, access, current, rowId, write, policy, fieldKey);
      return this.answer(uow.trx, access, current, row, fieldKey);
    });
  }

  /**
   * The update of `update` in its transaction, by policy. A stale attempt leaves the row locked;
   * the columns later versions changed come from its audit entries. A PATCH none of whose
   * columns they touched is written again against the current version; anything else is the 409
   * (`updateRow` refuses rows someone else has locked).
   */
  private async updateByPolicy(
    uow: UnitOfWork,
    access: WorkspaceAccess,
    table: TableView,
    rowId: string,
    write: { mine: FieldsInput; version?: number; encoded: EncodedFields; mode: WriteMode },
    override: ConflictPolicy | undefined,
    fieldKey: FieldKey,
  ): Promise<RowView> {
    const policy = override ?? conflictPolicyOf(table);
    const base = checkedVersion(policy, write.version);
    const { values, links } = write.encoded;
    let against = base;
    for (let attempt = 1; ; attempt++) {
      const result = await this.tryUpdateRow(uow, access, table, rowId, values, against, links);
      if (result.ok) return result.row;
      if (base === undefined) throw new Error('an update without a version was refused as stale');
      const current = toRowView(table, result.current);
      const changed = await columnsChangedSince(
        uow.trx,
        access.workspace.schemaName,
        { tableId: table.id, rowId },
        base,
        current.version,
      );
      const written = writtenColumns(table, write.encoded);
      const clash = changed ? written.filter((id) => changed.has(id)) : written;
      const merges =
        policy === 'merge' &&
        write.mode === 'patch' &&
        changed &&
        clash.length === 0 &&
        attempt < MERGE_ATTEMPTS;
      if (!merges)
        throw rowVersionConflict(current, await this.answer(uow.trx, access, table, current, fieldKey), {
          mine: write.mine,
          baseVersion: base,
          conflictingFields: fieldKeysOf(table, clash, fieldKey),
        });
      against = current.version;
    }
  }

  /**
   * Settles a conflict (ADR 0021) against `version`, the one the client saw in `theirs`:
   * `theirs` answers the row as it is, `mine` and `merged` write their fields as a PATCH based
   * on exactly that version. Never merged, never last write wins: a 409 when the row moved again.
   */
  async resolve(
    access: WorkspaceAccess,
    actorId: string,
    tableId: string,
    rowId: string,
    input: ResolutionInput,
    fieldKey: FieldKey,
  ): Promise<RowView> {
    const fields = resolutionFields(input);
    if (fields)
      return this.update(
        access,
        actorId,
        tableId,
        rowId,
        { fields, version: input.version },
        'patch',
        fieldKey,
        'reject',
      );
    const row = await this.get(access, tableId, rowId, fieldKey);
    if (row.version !== input.version)
      throw rowVersionConflict(row, row, { mine: {}, baseVersion: input.version, conflictingFields: [] });
    return row;
  }

  /**
   * The one-statement update; undefined when the table's schema changed since it was read, or
   * when the version was stale (the transaction's turn: it knows the policy for sure).
   */
  private async updateOne(
    unit: StatementUnit,
    access: WorkspaceAccess,
    table: TableView,
    rowId: string,
    values: Raw,
    version: number | undefined,
    fieldKey: FieldKey,
  ): Promise<RowView | undefined> {
    await this.checkReferences(this.knex, access, table, [values]);
    const outcome = await this.runUpdate(unit.run, access, table, rowId, values, {
      version,
      audit: unit.auditContext(access.workspace.id),
    });
    if (!outcome.ok && outcome.reason === 'schema_changed') return undefined;
    const attempt = this.attempted(outcome, table, rowId);
    if (!attempt.ok) return undefined;
    unit.emit(
      'rows.changed',
      access.workspace.id,
      rowsChanged(table, 'update', [attempt.row], [attempt.before]),
    );
    return fieldKey === 'name' ? attempt.row : byColumnId(table, attempt.row);
  }

  async delete(
    access: WorkspaceAccess,
    actorId: string,
    tableId: string,
    rowId: string,
    version?: number,
  ): Promise<void> {
    assertRowId(rowId);
    await this.tx.run(actorId, async (uow) => {
      const table = await this.tableFor(uow, access, tableId);
      await this.locks.assertWritable(uow.trx, access.workspace.schemaName, tableId, [rowId], uow.actorId);
      // A delete writes no field, so nothing merges: stale is a 409 unless the last write wins.
      const checked = checkedVersion(conflictPolicyOf(table), version);
      try {
        await this.deleteRows(uow, access, table, [{ id: rowId, version: checked }]);
      } catch (error) {
        if (!(error instanceof VersionConflictError) || checked === undefined) throw error;
        const current = error.current as RowView;
        throw rowVersionConflict(current, await this.answer(uow.trx, access, table, current, 'name'), {
          mine: {},
          baseVersion: checked,
          conflictingFields: [],
        });
      }
    });
  }

  /** Takes (or renews) the row for `ttlSeconds`; 409 `row_locked` while someone else holds it. */
  async lock(access: WorkspaceAccess, actorId: string, tableId: string, rowId: string, ttlSeconds: number) {
    assertRowId(rowId);
    const schema = access.workspace.schemaName;
    const table = await new Metadata(this.knex, schema).table(tableId);
    const exists = await this.rowsTable(this.knex, access, table).where({ id: rowId }).first('id');
    if (!exists) throw new NotFoundError('Row');
    return this.locks.acquire(this.knex, schema, tableId, rowId, actorId, ttlSeconds);
  }

  async unlock(access: WorkspaceAccess, actorId: string, tableId: string, rowId: string): Promise<void> {
    assertRowId(rowId);
    const schema = access.workspace.schemaName;
    await new Metadata(this.knex, schema).table(tableId);
    if (!(await this.locks.release(this.knex, schema, tableId, rowId, actorId)))
      throw new NotFoundError('Lock');
  }

  // --- building blocks shared with bulk writes and revert ---------------------------------

  /** Loads the table inside the write's transaction, FOR SHARE: no schema change runs meanwhile. */
  async tableFor(uow: UnitOfWork, access: WorkspaceAccess, tableId: string): Promise<TableView> {
    return new Metadata(uow.trx, access.workspace.schemaName).table(tableId, { share: true });
  }

  /** Inserts rows (fields already by name or id), audits each, emits one event. All or nothing. */
  async insertRows(
    uow: UnitOfWork,
    access: WorkspaceAccess,
    table: TableView,
    rows: readonly FieldsInput[],
    ids?: readonly string[],
  ): Promise<RowView[]> {
    const { encoded, problems } = encodeRows(table, rows, 'create');
    if (problems.length > 0) throw bulkError(problems, rows.length === 1);
    const unknownUsers = await userReferenceProblems(
      uow.trx,
      access.workspace.id,
      table,
      encoded.map((e) => (e.ok ? e.fields.values : {})),
    );
    if (unknownUsers.length > 0) throw bulkError(unknownUsers, rows.length === 1);
    const badFiles = await checkAttachmentCells(
      uow.trx,
      access.workspace.schemaName,
      table,
      encoded.map((e) => (e.ok ? e.fields.values : {})),
    );
    if (badFiles.length > 0) throw bulkError(badFiles, rows.length === 1);
    const values = encoded.map((e, i) => ({
      ...(e.ok ? e.fields.values : {}),
      id: ids?.[i] ?? newId(),
      created_by: uow.actorId,
      updated_by: uow.actorId,
    }));
    const links = encoded.map((e) => (e.ok ? e.fields.links : {}));
    let inserted: Raw[];
    try {
      inserted = await insertRowsAudited(
        (sql, bound, name) => runVerbatim(uow.trx, sql, bound, name),
        access.workspace.schemaName,
        table,
        bulkColumns(table, values),
        values,
        { ...rowEntries(uow, access, values.length), links },
      );
    } catch (error) {
      throw rowWriteError(error, table);
    }
    const views = inserted.map((raw) => toRowView(table, raw));
    for (const [index, row] of views.entries())
      await this.writeLinks(uow, access, table, row.id, links[index] ?? {}, index);
    this.emit(uow, access, table, 'insert', views);
    return views;
  }

  /** Updates one row by id with encoded values (and links); checks `version` when given. */
  async updateRow(
    uow: UnitOfWork,
    access: WorkspaceAccess,
    table: TableView,
    rowId: string,
    values: Raw,
    version?: number,
    links: Record<string, string[]> = {},
  ): Promise<RowView> {
    const attempt = await this.tryUpdateRow(uow, access, table, rowId, values, version, links);
    if (attempt.ok) return attempt.row;
    const current = toRowView(table, attempt.current);
    throw new VersionConflictError(
      `The row changed since version ${String(version)}; it is at version ${current.version}`,
      current,
    );
  }

  /** `updateRow`, a stale version answered rather than thrown (the row stays locked in `uow`). */
  private async tryUpdateRow(
    uow: UnitOfWork,
    access: WorkspaceAccess,
    table: TableView,
    rowId: string,
    values: Raw,
    version: number | undefined,
    links: Record<string, string[]>,
  ): Promise<Attempt> {
    await this.checkReferences(uow.trx, access, table, [values]);
    const linked = Object.keys(links);
    const linkedBefore = linked.length
      ? ((await readLinkedValues(uow.trx, access.workspace.schemaName, table, [rowId], 'id')).get(rowId) ??
        {})
      : {};
    const outcome = await this.runUpdate(
      (text, bound, name) => runVerbatim(uow.trx, text, bound, name),
      access,
      table,
      rowId,
      values,
      {
        version,
        audit: uow.auditContext(access.workspace.id),
        links: { before: pick(linkedBefore, linked) as Record<string, string[]>, after: links },
      },
    );
    const attempt = this.attempted(outcome, table, rowId);
    if (!attempt.ok) return attempt;
    await this.writeLinks(uow, access, table, rowId, links, 0);
    this.emit(uow, access, table, 'update', [attempt.row], [attempt.before]);
    return attempt;
  }

  /** Users and attachment files the values name must exist where the row lives (422). */
  private async checkReferences(
    db: Knex,
    access: WorkspaceAccess,
    table: TableView,
    rows: readonly Raw[],
  ): Promise<void> {
    const unknownUsers = await userReferenceProblems(db, access.workspace.id, table, rows);
    if (unknownUsers.length > 0) throw bulkError(unknownUsers, rows.length === 1);
    const badFiles = await checkAttachmentCells(db, access.workspace.schemaName, table, rows);
    if (badFiles.length > 0) throw bulkError(badFiles, rows.length === 1);
  }

  private async runUpdate(
    run: SqlRunner,
    access: WorkspaceAccess,
    table: TableView,
    rowId: string,
    values: Raw,
    options: Parameters<typeof updateRowAudited>[5],
  ): Promise<RowUpdateOutcome> {
    try {
      return await updateRowAudited(run, access.workspace.schemaName, table, rowId, values, options);
    } catch (error) {
      throw rowWriteError(error, table);
    }
  }

  /** The updated row or, stale, the current one; other refusals as the API answers them. */
  private attempted(outcome: RowUpdateOutcome, table: TableView, rowId: string): Attempt {
    if (outcome.ok) {
      const row = toRowView(table, outcome.after);
      return { ok: true, row, before: fieldsBefore(table, row, outcome.before) };
    }
    if (outcome.reason === 'stale') return { ok: false, current: outcome.current };
    if (outcome.reason === 'not_found') throw new NotFoundError('Row');
    if (outcome.reason === 'locked')
      throw new ConflictError(`Row ${rowId} is locked by another user`, 'row_locked');
    // Inside a transaction the table was read FOR SHARE: its schema cannot have moved.
    throw new Error(`table ${table.id} changed under a locked write`);
  }

  /** Deletes rows by id (each version checked when given); every row must exist. */
  async deleteRows(
    uow: UnitOfWork,
    access: WorkspaceAccess,
    table: TableView,
    targets: readonly { id: string; version?: number }[],
  ): Promise<RowView[]> {
    const rows = this.rowsTable(uow.trx, access, table);
    const ids = targets.map((t) => t.id);
    const current = new Map(
      ((await rows.clone().whereIn('id', ids).forUpdate()) as Raw[]).map((raw) => [String(raw.id), raw]),
    );
    const problems = targets.flatMap((t, index) => {
      const raw = current.get(t.id);
      if (!raw) return [{ index, field: 'id', code: 'not_found', detail: `no row ${t.id}` }];
      if (t.version !== undefined && Number(raw.version) !== t.version)
        return [
          {
            index,
            field: 'version',
            code: 'version_conflict',
            detail: `the row is at version ${String(raw.version)}`,
          },
        ];
      return [];
    });
    if (problems.length > 0) {
      const [only] = problems;
      if (targets.length === 1 && only?.code === 'not_found') throw new NotFoundError('Row');
      if (targets.length === 1 && only?.code === 'version_conflict')
        throw new VersionConflictError(
          only.detail,
          toRowView(table, current.get(targets[0]?.id ?? '') as Raw),
        );
      throw bulkError(problems, false);
    }
    const deleted = await deleteRowsAudited(
      (sql, bound, name) => runVerbatim(uow.trx, sql, bound, name),
      access.workspace.schemaName,
      table,
      ids,
      rowEntries(uow, access, ids.length),
    );
    const views = deleted.map((raw) => toRowView(table, raw));
    this.emit(uow, access, table, 'delete', views);
    return views;
  }

  /** Sets the links a write names; a linked id that is no row of the target table is a 422. */
  private async writeLinks(
    uow: UnitOfWork,
    access: WorkspaceAccess,
    table: TableView,
    rowId: string,
    links: Record<string, string[]>,
    index: number,
  ): Promise<void> {
    for (const [columnId, targetIds] of Object.entries(links)) {
      try {
        await replaceLinks(uow.trx, access.workspace.schemaName, columnId, rowId, targetIds);
      } catch (error) {
        if (!isForeignKeyViolation(error)) throw error;
        const name = table.columns.find((c) => c.id === columnId)?.name ?? columnId;
        throw bulkError(
          [{ index, field: name, code: 'invalid_link', detail: 'links a row that does not exist' }],
          index === 0,
        );
      }
    }
  }

  rowsTable(db: Knex, access: WorkspaceAccess, table: TableView): Knex.QueryBuilder {
    return db.withSchema(access.workspace.schemaName).table(userTableName(table.id));
  }

  /** The answer to a write: as a read would show it (formulas computed) when the table has any. */
  async answer(
    db: Knex,
    access: WorkspaceAccess,
    table: TableView,
    row: RowView,
    fieldKey: FieldKey,
  ): Promise<RowView> {
    const [answered] = await this.answerMany(db, access, table, [row], fieldKey);
    return answered ?? row;
  }

  async answerMany(
    db: Knex,
    access: WorkspaceAccess,
    table: TableView,
    rows: RowView[],
    fieldKey: FieldKey,
  ): Promise<RowView[]> {
    if (!hasComputedFields(table) && fieldKey === 'name') return rows;
    const read: RowView[] = [];
    for (let i = 0; i < rows.length; i += READ_BACK_PAGE) {
      const ids = rows.slice(i, i + READ_BACK_PAGE).map((r) => r.id);
      read.push(...(await readRows(db, access.workspace.schemaName, table, ids, fieldKey)));
    }
    return read;
  }

  private emit(
    uow: UnitOfWork,
    access: WorkspaceAccess,
    table: TableView,
    op: string,
    rows: RowView[],
    before?: Record<string, unknown>[],
  ): void {
    uow.emit('rows.changed', access.workspace.id, rowsChanged(table, op, rows, before));
  }

  /** count(*) of the filtered rows within the time cap; null when the cap is reached. */
  private async exactCount(
    query: RowQueryLike,
    catalog: Parameters<typeof runSqlQuery>[2],
  ): Promise<number | null> {
    const counting = {
      source: query.source,
      ...(query.filter ? { filter: query.filter } : {}),
      ...(query.computedColumns ? { computedColumns: query.computedColumns } : {}),
      groupBy: { fields: [], aggregates: [{ fn: 'count' as const, as: 'n' }] },
      pagination: { mode: 'offset' as const, limit: 1, offset: 0 },
    };
    try {
      return await this.knex.transaction(async (trx) => {
        await trx.raw(
          `SET LOCAL statement_timeout = ${Math.max(1, Math.floor(this.defaults.exactCountTimeoutMs))}`,
        );
        const result: QueryResult = await runSqlQuery(trx, counting, catalog, 'postgres');
        return Number(result.rows[0]?.n ?? 0);
      });
    } catch (error) {
      if (isStatementTimeout(error)) return null;
      throw error;
    }
  }
}

type RowQueryLike = ReturnType<typeof rowListQuery>['query'];

/**
 * The payload of `rows.changed` (realtime's `data:update`). `before`: the fields a row had
 * before an update or a delete, where known, for consumers that must tell whether it matched
 * a filter then (view subscriptions); realtime never sends it to table rooms.
 */
function rowsChanged(
  table: TableView,
  op: string,
  rows: readonly RowView[],
  before?: readonly Record<string, unknown>[],
): Record<string, unknown> {
  return {
    tableId: table.id,
    op,
    rows: rows.map((r, i) => {
      const previous = op === 'delete' ? r.fields : before?.[i];
      return {
        id: r.id,
        version: r.version,
        fields: op === 'delete' ? {} : r.fields,
        ...(previous ? { before: previous } : {}),
      };
    }),
  };
}

/** Who writes `count` row entries, each with an id of its own. */
function rowEntries(uow: UnitOfWork, access: WorkspaceAccess, count: number): RowEntries {
  const { workspaceId, actorId, requestId, ip } = uow.auditContext(access.workspace.id);
  return { workspaceId, actorId, requestId, ip, entryIds: Array.from({ length: count }, () => newId()) };
}

/** A row view keyed by column id instead of name (`?fieldKey=id`). */
function byColumnId(table: TableView, row: RowView): RowView {
  const fields: Record<string, unknown> = {};
  for (const column of table.columns)
    if (Object.hasOwn(row.fields, column.name)) fields[column.id] = row.fields[column.name];
  return { ...row, fields };
}

/**
 * Whether an update is one statement's work: no links to rewrite (junction rows), no attachment
 * cells (their files are held FOR SHARE until commit, against the sweeper), and no computed
 * field the answer must read back in the same snapshot.
 */
function oneStatementWrite(
  table: TableView,
  fields: { values: Raw; links: Record<string, string[]> },
): boolean {
  if (Object.keys(fields.links).length > 0 || hasComputedFields(table)) return false;
  return !table.columns.some((c) => c.type === 'attachment' && userColumnName(c.id) in fields.values);
}

/** The columns (ids) an encoded write sets: its stored values and its links. */
function writtenColumns(table: TableView, fields: EncodedFields): string[] {
  return table.columns
    .filter((c) => userColumnName(c.id) in fields.values || Object.hasOwn(fields.links, c.id))
    .map((c) => c.id);
}

/** Fields a write's answer reads back through the query layer (formulas, rollups, links). */
function hasComputedFields(table: TableView): boolean {
  return table.columns.some((c) => c.type === 'formula' || c.type === 'rollup') || hasLinkedColumns(table);
}
