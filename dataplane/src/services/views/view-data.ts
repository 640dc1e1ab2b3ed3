import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { Cache } from '../../platform/cache.js';
import { ServiceUnavailableError, ValidationError, ViewBrokenError } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';
import { ScopedCache } from '../../platform/scoped-cache.js';
import { catalogOf } from '../../query/catalog.js';
import { StatementCache } from '../../query/sql/index.js';
import { isStaleStatement } from '../../store/pg-errors.js';
import {
  MATERIALIZED_POSITION,
  materializedColumn,
  materializedType,
} from '../../store/user-tables/materialized.js';
import type { WorkspaceCache } from '../cache-invalidation.js';
import { Metadata } from '../tables/metadata.js';
import type { TableCache } from '../tables/table-cache.js';
import type { WorkspaceAccess } from '../workspaces/workspace-access.js';
import type { DataVersions } from './data-versions.js';
import type { ViewPlanner } from './view-planner.js';
import { ROW_ID, type PlanOutcome, type ViewPlan } from './view-plan.js';
import { versionSalt, type ViewPage, type ViewQueries, type ViewRow } from './view-queries.js';
import { loadView, type ViewRecord } from './view-record.js';
import { checkRequest, type DataRequest } from './view-request.js';

export interface ViewDataOptions {
  /** Pages of mini-DB views: kept until a table they read changes (their key moves), at most this long. */
  internalPageTtlSeconds: number;
  /** Pages of external views, unless the view says otherwise (`cacheTtlSeconds`). */
  externalPageTtlSeconds: number;
  /** Pages longer than this (JSON characters) are not cached. */
  maxCachedPageChars: number;
}

export type DataPage = ViewPage & { materializedAt?: string | null };

/** Plans of views that checked out, until their workspace changes (or 30 s: external schemas move unannounced). */
const PLAN_CACHE = { max: 2_000, ttlMs: 30_000 };

/** Thrown inside a plan load so that a plan that did not check out is not cached. */
class NotCached extends Error {
  constructor(readonly outcome: PlanOutcome) {
    super('plan not cached');
  }
}

/**
 * A view's data: the plan it runs now (live, or its materialization), its data version, and its
 * pages, cached by (view, version, data version, request) (ADR 0019). A plan that does not fit
 * the schema any more answers 409 `view_broken`, never an error of the database.
 */
export class ViewData implements WorkspaceCache {
  private readonly plans = new ScopedCache<PlanOutcome>(PLAN_CACHE);

  constructor(
    private readonly knex: Knex,
    private readonly planner: ViewPlanner,
    private readonly queries: ViewQueries,
    private readonly tables: TableCache,
    private readonly versions: DataVersions,
    private readonly pages: Cache,
    private readonly options: ViewDataOptions,
    private readonly log: Logger,
  ) {}

  forgetWorkspace(workspaceId: string): void {
    this.plans.forgetScope(workspaceId);
  }

  clear(): void {
    this.plans.clear();
  }

  /**
   * The view's live plan (cached while it checks out). `fresh`: checked against the schema now,
   * for what reports a view's status (an external schema may have been rediscovered since).
   */
  async plan(access: WorkspaceAccess, record: ViewRecord, fresh = false): Promise<PlanOutcome> {
    if (fresh) return this.planner.plan(access, record.definition);
    const key = `${access.workspace.id}:${record.id}:${record.version}`;
    try {
      return await this.plans.getOrLoad(key, async () => {
        const outcome = await this.planner.plan(access, record.definition);
        if (!outcome.ok) throw new NotCached(outcome);
        return { scope: access.workspace.id, value: outcome };
      });
    } catch (error) {
      if (error instanceof NotCached) return error.outcome;
      throw error;
    }
  }

  /**
   * The plan a data request runs: the materialization when it is of the current version, else
   * the live plan. A broken view is a 409 (its problems listed when `problems`); a source that
   * cannot be asked and has no materialization is a 503 (saying why only when `problems`).
   */
  async servingPlan(access: WorkspaceAccess, record: ViewRecord, problems = true): Promise<ViewPlan> {
    const live = await this.plan(access, record);
    if (!live.ok && !live.unavailable) throw new ViewBrokenError(problems ? live.problems : undefined);
    const materialized = this.materializedPlan(access, record, live);
    if (materialized) return materialized;
    if (!live.ok) {
      const reason = problems ? live.problems[0]?.message : undefined;
      throw new ServiceUnavailableError(
        reason ?? "the view's source cannot be read now",
        'source_unavailable',
      );
    }
    return live.plan;
  }

  /** One page of the view for a request (names checked against what the view shows). */
  async page(
    access: WorkspaceAccess,
    record: ViewRecord,
    request: DataRequest,
    options: { problems?: boolean; retried?: boolean } = {},
  ): Promise<DataPage> {
    const plan = await this.servingPlan(access, record, options.problems ?? true);
    const checked = checkRequest(plan, request, plan.resolve);
    const version = await this.dataVersion(access, record, plan).catch((error: unknown) => {
      this.log.warn({ err: error, viewId: record.id }, 'data versions unreadable: page not cached');
      return undefined;
    });
    const ttl = version === undefined ? 0 : this.ttlOf(record, plan);
    const key = `vp:${record.id}:${hash([record.version, version, plan.kind, checked])}`;
    const cached = ttl > 0 ? await this.pages.get(key).catch(() => null) : null;
    if (cached) return JSON.parse(cached) as DataPage;
    let page: DataPage;
    try {
      page = await this.queries.page(access, plan, checked);
    } catch (error) {
      if (options.retried) throw error;
      // A refresh replaced the materialization this request read the view row before.
      if (plan.kind === 'materialized' && isStaleStatement(error))
        return this.page(access, await loadView(this.knex, access, record.id), request, {
          ...options,
          retried: true,
        });
      if (!(await this.staleFor(access, plan, error))) throw error;
      // Read again against the schema as it is now: the same request answers, or names the problems.
      this.tables.forgetWorkspace(access.workspace.id);
      this.forgetWorkspace(access.workspace.id);
      return this.page(access, record, request, { ...options, retried: true });
    }
    if (plan.kind === 'materialized') page.materializedAt = record.materialized_at?.toISOString() ?? null;
    const text = JSON.stringify(page);
    if (ttl > 0 && text.length <= this.options.maxCachedPageChars)
      // A cache that cannot be written costs the next request a query, not this one its answer.
      await this.pages.set(key, text, ttl).catch((error: unknown) => {
        this.log.warn({ err: error, viewId: record.id }, 'view page not cached');
      });
    return page;
  }

  /** Which of `ids` (rows of its source) the view holds now, as it shows them; never cached. */
  async rowsById(access: WorkspaceAccess, record: ViewRecord, ids: readonly string[]): Promise<ViewRow[]> {
    const plan = await this.servingPlan(access, record, false);
    const filter = { field: ROW_ID, op: 'in' as const, value: [...ids] };
    return (await this.queries.page(access, plan, { filter, limit: ids.length, groups: 'rows' })).data;
  }

  /**
   * What the view's pages are keyed by: for mini-DB views the data versions (and schema versions)
   * of every table it reads; for external ones the refresh counter and the time bucket of the
   * cache TTL; for materialized ones the materialization. Unreadable counters mean uncached
   * pages, not failed requests.
   */
  async dataVersion(access: WorkspaceAccess, record: ViewRecord, plan: ViewPlan): Promise<string> {
    if (plan.kind === 'internal') {
      const versions = await this.versions.of(access.workspace.id, record.id, plan.sourceTables);
      return `i.${hash([plan.sourceTables, versions, versionSalt(plan)])}`;
    }
    const refreshed = await this.versions.view(record.id);
    if (plan.kind === 'materialized') return `m.${record.materialized_at?.getTime() ?? 0}.${refreshed}`;
    const ttl = this.ttlOf(record, plan);
    return `e.${refreshed}.${ttl > 0 ? Math.floor(Date.now() / (ttl * 1000)) : Date.now()}`;
  }

  private ttlOf(record: ViewRecord, plan: ViewPlan): number {
    if (plan.kind !== 'external') return this.options.internalPageTtlSeconds;
    return record.definition.cacheTtlSeconds ?? this.options.externalPageTtlSeconds;
  }

  /** The materialization as a plan, when it holds the view's current version. */
  private materializedPlan(
    access: WorkspaceAccess,
    record: ViewRecord,
    live: PlanOutcome,
  ): ViewPlan | undefined {
    const columns = record.materialized_columns;
    if (!record.materialized_table || !columns || record.materialized_version !== record.version)
      return undefined;
    const schema = access.workspace.schemaName;
    const table = record.materialized_table;
    const groupBy = live.ok ? live.plan.groupBy : record.definition.groupBy;
    return {
      kind: 'materialized',
      base: { source: { schema, table } },
      sorts: [],
      ...(groupBy ? { groupBy } : {}),
      outputs: columns.map((c) => ({ name: c.name, type: materializedType(c.type) })),
      resolve: (ref) => ref,
      catalog: catalogOf([
        {
          schema,
          name: table,
          columns: [
            { name: '@pos', type: 'integer', nullable: false, sqlName: MATERIALIZED_POSITION },
            ...columns.map((c, i) => ({
              name: c.name,
              type: materializedType(c.type),
              nullable: true,
              sqlName: materializedColumn(i),
            })),
          ],
          primaryKey: ['@pos'],
        },
      ]),
      sourceTables: [],
      baseIds: [],
      schemaVersions: {},
      materialized: { table, statements: this.statementsFor(table) },
    };
  }

  private readonly materializedStatements = new Map<string, StatementCache>();

  /** One statement cache per materialized table (a new refresh is a new table). */
  private statementsFor(table: string): StatementCache {
    let statements = this.materializedStatements.get(table);
    if (!statements) {
      statements = new StatementCache('postgres', 64);
      this.materializedStatements.set(table, statements);
      if (this.materializedStatements.size > 500)
        this.materializedStatements.delete(this.materializedStatements.keys().next().value as string);
    }
    return statements;
  }

  /**
   * Whether a read failed because the plan is older than the schema: for mini-DB views, another
   * replica changed a table this one has not heard of yet (its schema version moved, ADR 0012);
   * for external ones, the source's own catalog refused what the plan's (older) one accepted.
   */
  private async staleFor(access: WorkspaceAccess, plan: ViewPlan, error: unknown): Promise<boolean> {
    if (plan.kind !== 'internal' || !(isStaleStatement(error) || error instanceof ValidationError))
      return false;
    const meta = new Metadata(this.knex, access.workspace.schemaName);
    for (const [id, version] of Object.entries(plan.schemaVersions)) {
      const current = await meta.findTable(id);
      if (current?.schemaVersion !== version) return true;
    }
    return false;
  }
}

const hash = (value: unknown): string =>
  createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 32);
