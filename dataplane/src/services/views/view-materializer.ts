import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { ServiceUnavailableError, ValidationError, ViewBrokenError } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';
import type { LogicalQuery } from '../../query/lqp.js';
import {
  createMaterializedTable,
  dropMaterializedTable,
  insertMaterializedRows,
  materializedTablesOf,
} from '../../store/user-tables/materialized.js';
import { materializedTableName } from '../../store/user-tables/names.js';
import type { TransactionRunner } from '../unit-of-work.js';
import type { WorkspaceAccess } from '../workspaces/workspace-access.js';
import { isInternal } from './view-definition.js';
import type { ViewData } from './view-data.js';
import type { ViewQueries } from './view-queries.js';
import { loadView, viewsTable, type ViewRecord } from './view-record.js';

export interface MaterializerOptions {
  /** A refresh reading more rows than this fails (and keeps the last materialization). */
  maxRows: number;
  /** How often a replica looks for views due for a refresh. */
  tickMs: number;
}

/** Rows read from the source per query while materializing. */
const READ_PAGE = 1000;
/** Bound parameters per INSERT stay under PostgreSQL's 65 535. */
const MAX_PARAMETERS = 60_000;

/**
 * Materialized views (ADR 0019): an external view's rows, read page by page from its source in
 * its order, written into a new table of the workspace schema (`mv_<view>_<refresh>`), then put
 * in place of the previous one in a short transaction. Readers keep reading the old table until
 * that commits; a view changed meanwhile keeps its old materialization (the next turn rebuilds).
 * Scheduled refreshes are claimed one view at a time with SKIP LOCKED, so one replica refreshes
 * a view per turn.
 */
export class ViewMaterializer {
  private ticking: Promise<unknown> | undefined;
  private stopped = false;

  constructor(
    private readonly knex: Knex,
    private readonly tx: TransactionRunner,
    private readonly data: ViewData,
    private readonly queries: ViewQueries,
    private readonly log: Logger,
    private readonly options: MaterializerOptions,
  ) {}

  /** Refreshes the view now; answers when its new materialization is in place. */
  async refresh(access: WorkspaceAccess, record: ViewRecord): Promise<Date> {
    const live = await this.data.plan(access, record);
    if (!live.ok && !live.unavailable) throw new ViewBrokenError(live.problems);
    if (!live.ok)
      throw new ServiceUnavailableError(
        live.problems[0]?.message ?? 'source unavailable',
        'source_unavailable',
      );
    const { plan } = live;
    const schema = access.workspace.schemaName;
    const table = materializedTableName(
      record.id,
      `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`,
    );
    const types = plan.outputs.map((o) => o.type);
    await createMaterializedTable(this.knex, schema, table, types);
    try {
      await this.fill(access, plan, schema, table);
    } catch (error) {
      await dropMaterializedTable(this.knex, schema, table);
      throw error;
    }
    const at = await this.tx.run(null, async (uow) => {
      const current = await loadView(uow.trx, access, record.id, true);
      if (current.version !== record.version) return undefined;
      const now = new Date();
      await viewsTable(uow.trx, access)
        .where({ id: record.id })
        .update({
          materialized_table: table,
          materialized_version: record.version,
          materialized_columns: JSON.stringify(plan.outputs.map((o) => ({ name: o.name, type: o.type }))),
          materialized_at: now,
          materialize_error: null,
        });
      if (current.materialized_table)
        await dropMaterializedTable(uow.trx, schema, current.materialized_table);
      uow.emit('view.refreshed', access.workspace.id, {
        viewId: record.id,
        materializedAt: now.toISOString(),
      });
      return now;
    });
    if (!at) {
      await dropMaterializedTable(this.knex, schema, table);
      throw new ValidationError('the view changed while it was being materialized; refresh again');
    }
    return at;
  }

  /** Every materialization of a view, in its deletion's transaction. */
  async dropAll(trx: Knex, access: WorkspaceAccess, viewId: string): Promise<void> {
    const schema = access.workspace.schemaName;
    for (const table of await materializedTablesOf(trx, schema, viewId))
      await dropMaterializedTable(trx, schema, table);
  }

  /** Starts the schedule; returns the function that stops it (once a refresh in progress ends). */
  start(accessOf: (workspaceId: string) => Promise<WorkspaceAccess>): () => Promise<void> {
    const timer = setInterval(() => {
      if (this.ticking) return;
      this.ticking = this.tick(accessOf)
        .catch((error: unknown) => this.log.error({ err: error }, 'view refresh schedule failed'))
        .finally(() => {
          this.ticking = undefined;
        });
    }, this.options.tickMs);
    timer.unref();
    return async () => {
      this.stopped = true;
      clearInterval(timer);
      await this.ticking;
    };
  }

  /** Claims due views one at a time (SKIP LOCKED, next turn set in the same statement) and refreshes each. */
  async tick(accessOf: (workspaceId: string) => Promise<WorkspaceAccess>): Promise<number> {
    let refreshed = 0;
    while (!this.stopped) {
      const { rows } = (await this.knex.raw(
        `UPDATE view_refresh_schedule s
            SET next_refresh_at = now() + make_interval(secs => s.refresh_seconds)
          WHERE s.view_id = (SELECT view_id FROM view_refresh_schedule
                              WHERE next_refresh_at <= now()
                              ORDER BY next_refresh_at LIMIT 1 FOR UPDATE SKIP LOCKED)
          RETURNING s.view_id, s.workspace_id`,
      )) as { rows: { view_id: string; workspace_id: string }[] };
      const claimed = rows[0];
      if (!claimed) return refreshed;
      await this.refreshScheduled(accessOf, claimed.workspace_id, claimed.view_id);
      refreshed++;
    }
    return refreshed;
  }

  private async refreshScheduled(
    accessOf: (workspaceId: string) => Promise<WorkspaceAccess>,
    workspaceId: string,
    viewId: string,
  ): Promise<void> {
    let access: WorkspaceAccess | undefined;
    try {
      access = await accessOf(workspaceId);
      const record = await loadView(this.knex, access, viewId);
      if (isInternal(record.definition.source) || !record.definition.materialize) return;
      await this.refresh(access, record);
    } catch (error) {
      this.log.warn({ err: error, viewId }, 'scheduled view refresh failed');
      if (access)
        await viewsTable(this.knex, access)
          .where({ id: viewId })
          .update({
            materialize_error: error instanceof Error ? error.message.slice(0, 1000) : String(error),
          })
          .catch(() => undefined);
    }
  }

  private async fill(
    access: WorkspaceAccess,
    plan: Parameters<ViewQueries['run']>[1],
    schema: string,
    table: string,
  ): Promise<void> {
    const names = plan.outputs.map((o) => o.name);
    const types = plan.outputs.map((o) => o.type);
    const chunk = Math.max(1, Math.floor(MAX_PARAMETERS / (names.length + 1)));
    let cursor: string | undefined;
    let position = 0;
    for (;;) {
      const query: LogicalQuery = {
        ...plan.base,
        select: names,
        ...(plan.sorts.length ? { sorts: plan.sorts } : {}),
        pagination: { mode: 'keyset', limit: READ_PAGE, ...(cursor ? { cursor } : {}) },
      };
      const page = await this.queries.run(access, plan, query);
      if (position + page.rows.length > this.options.maxRows)
        throw new ValidationError(`the view has more than ${this.options.maxRows} rows to materialize`);
      const values = page.rows.map((row) => names.map((n) => row[n] ?? null));
      for (let i = 0; i < values.length; i += chunk)
        await insertMaterializedRows(
          this.knex,
          schema,
          table,
          types,
          values.slice(i, i + chunk),
          position + i,
        );
      position += values.length;
      if (!page.nextCursor) return;
      cursor = page.nextCursor;
    }
  }
}
