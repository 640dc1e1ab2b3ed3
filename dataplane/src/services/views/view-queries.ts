import type { Knex } from 'knex';
import { ValidationError, ViewBrokenError } from '../../platform/errors.js';
import type { Filter, LogicalQuery, QueryResult, Sort } from '../../query/lqp.js';
import { analyzeQuery } from '../../query/validate.js';
import type { ConnectionsService } from '../connections/connections.service.js';
import { readLinkedValues } from '../rows/linked-values.js';
import { runPreparedPage } from '../rows/prepared-page.js';
import type { WorkspaceAccess } from '../workspaces/workspace-access.js';
import { combinedFilter, requestPath, type DataRequest } from './view-request.js';
import { GROUP_COUNT, groupedQuery, ROW_ID, type ViewOutput, type ViewPlan } from './view-plan.js';

/** A row of a view: `fields` by the view's column names, in its order; `id` for mini-DB rows. */
export interface ViewRow {
  id?: string;
  fields: Record<string, unknown>;
}

/** A group of a grouped view: its key (group field → value), its row count and its aggregates. */
export interface ViewGroup {
  key: Record<string, unknown>;
  count: number;
  aggregates: Record<string, unknown>;
}

export interface ViewPage {
  data: ViewRow[];
  /** The query layer's cursor (sealed before it leaves the service). */
  nextCursor: string | null;
  groups?: ViewGroup[];
}

/** Group rows read for one page's headers: pages of the grouped query, at most this many. */
const GROUP_PAGE = 1000;
const MAX_GROUP_PAGES = 20;

type Row = Record<string, unknown>;

/**
 * Runs a view's plan for one request, in the source's own engine: mini-DB views as prepared
 * statements on the platform's pool (as row lists run), external ones on their connection's
 * adapter, materialized ones on their table. Grouped views answer their rows ordered by the group
 * fields first, with the headers (count and aggregates over the whole group) of the groups the
 * page shows; or, with `groups: 'only'`, the groups alone, paged.
 */
export class ViewQueries {
  constructor(
    private readonly knex: Knex,
    private readonly connections: ConnectionsService,
  ) {}

  async page(access: WorkspaceAccess, plan: ViewPlan, request: DataRequest): Promise<ViewPage> {
    if (request.groups === 'only' && plan.groupBy) return this.groupsPage(access, plan, request);
    const selected: ViewOutput[] = request.fields
      ? request.fields.map((name) => plan.outputs.find((o) => o.name === name) as ViewOutput)
      : plan.outputs;
    const filter = combinedFilter(plan.base.filter, request.filter);
    const { sorts, origins } = rowSorts(plan, request.sort ?? []);
    const internal = plan.kind === 'internal';
    const names = selected.filter((o) => !o.linked && !(internal && o.name === ROW_ID)).map((o) => o.name);
    const groupFields = (plan.groupBy?.fields ?? []).filter((f) => !names.includes(f));
    const select = [...(internal ? [ROW_ID] : []), ...names, ...groupFields];
    const query: LogicalQuery = {
      ...plan.base,
      ...(filter ? { filter } : {}),
      select,
      ...(sorts.length ? { sorts } : {}),
      pagination: keyset(request.limit, request.cursor),
    };
    const selectOrigins = select.map((name) => (request.fields ?? []).indexOf(name));
    const result = await this.inRequestTerms(() => this.run(access, plan, query), {
      combined: Boolean(plan.base.filter && request.filter),
      sorts: origins,
      select: selectOrigins,
    });
    const data = await this.shape(plan, selected, result.rows);
    const page: ViewPage = { data, nextCursor: result.nextCursor };
    if (plan.groupBy) page.groups = await this.headers(access, plan, filter, result.rows);
    return page;
  }

  /** Runs one LQP of the plan: validated against the plan's catalog, then in its engine. */
  async run(access: WorkspaceAccess, plan: ViewPlan, query: LogicalQuery): Promise<QueryResult> {
    switch (plan.kind) {
      case 'internal': {
        const internal = plan.internal as NonNullable<ViewPlan['internal']>;
        const statement = internal.statements.prepare(query, plan.catalog);
        return runPreparedPage(this.knex, statement, versionSalt(plan));
      }
      case 'materialized': {
        const materialized = plan.materialized as NonNullable<ViewPlan['materialized']>;
        const statement = materialized.statements.prepare(query, plan.catalog);
        return runPreparedPage(this.knex, statement, materialized.table);
      }
      case 'external': {
        analyzeQuery(query, plan.catalog);
        try {
          return await this.connections.execute(access, plan.connectionId as string, query);
        } catch (error) {
          // The view checked out against the schema we know; the source's own catalog disagrees.
          if (error instanceof ValidationError) throw new ViewBrokenError();
          throw error;
        }
      }
    }
  }

  private async groupsPage(access: WorkspaceAccess, plan: ViewPlan, request: DataRequest): Promise<ViewPage> {
    const groupBy = plan.groupBy as NonNullable<ViewPlan['groupBy']>;
    const filter = combinedFilter(plan.base.filter, request.filter);
    const query = groupedQuery(plan.base, groupBy, keyset(request.limit, request.cursor), {
      ...(filter ? { filter } : {}),
      ...(request.sort ? { sorts: request.sort } : {}),
    });
    const result = await this.inRequestTerms(() => this.run(access, plan, query), {
      combined: Boolean(plan.base.filter && request.filter),
      sorts: (request.sort ?? []).map((_, i) => i),
      select: [],
    });
    return { data: [], nextCursor: result.nextCursor, groups: result.rows.map((r) => toGroup(groupBy, r)) };
  }

  /** A request's mistakes (a value of the wrong type, a json field sorted) under its own paths. */
  private async inRequestTerms<T>(
    work: () => Promise<T>,
    shape: Parameters<typeof requestPath>[1],
  ): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const errors = error.errors.map((p) => ({ ...p, path: requestPath(p.path, shape) }));
      const detail = errors.map((p) => `${p.path}: ${p.message}`).join('; ');
      throw new ValidationError(`invalid request: ${detail}`, errors, error.code);
    }
  }

  private async shape(
    plan: ViewPlan,
    selected: readonly ViewOutput[],
    rows: readonly Row[],
  ): Promise<ViewRow[]> {
    const internal = plan.internal;
    const linkedColumns = selected.flatMap((o) => (o.linked ? [o.linked] : []));
    const ids = internal ? [...new Set(rows.map((r) => String(r[ROW_ID])))] : [];
    const linked =
      internal && linkedColumns.length > 0
        ? await readLinkedValues(
            this.knex,
            internal.schema,
            internal.source.table,
            ids,
            'name',
            new Set(linkedColumns.map((c) => c.id)),
          )
        : undefined;
    return rows.map((row) => {
      const id = internal ? String(row[ROW_ID]) : undefined;
      const fields: Record<string, unknown> = {};
      for (const output of selected)
        fields[output.name] = output.linked
          ? (linked?.get(id as string)?.[output.name] ?? [])
          : (row[output.name] ?? null);
      return id === undefined ? { fields } : { id, fields };
    });
  }

  /**
   * The headers of the groups a page's rows belong to, over the whole group (not only the page):
   * the grouped query narrowed to the page's keys (an `in` list per group field, a superset of
   * the page's key tuples), matched back to each tuple exactly.
   */
  private async headers(
    access: WorkspaceAccess,
    plan: ViewPlan,
    filter: Filter | undefined,
    rows: readonly Row[],
  ): Promise<ViewGroup[]> {
    const groupBy = plan.groupBy as NonNullable<ViewPlan['groupBy']>;
    if (rows.length === 0) return [];
    const keyOf = (row: Row) => JSON.stringify(groupBy.fields.map((f) => row[f] ?? null));
    const wanted = [...new Set(rows.map(keyOf))];
    const types = new Map(plan.outputs.map((o) => [o.name, o.type]));
    const narrowed = combinedFilter(filter, keysFilter(groupBy.fields, types, rows));
    const found = new Map<string, ViewGroup>();
    const read = async (where: Filter | undefined) => {
      let cursor: string | undefined;
      for (let page = 0; page < MAX_GROUP_PAGES; page++) {
        const query = groupedQuery(
          plan.base,
          groupBy,
          keyset(GROUP_PAGE, cursor),
          where ? { filter: where } : {},
        );
        const result = await this.run(access, plan, query);
        for (const row of result.rows) found.set(keyOf(row), toGroup(groupBy, row));
        if (!result.nextCursor || wanted.every((k) => found.has(k))) return;
        cursor = result.nextCursor;
      }
    };
    try {
      await read(narrowed);
    } catch (error) {
      // A key the filter language cannot state (a decimal too long for a double): every group.
      if (!(error instanceof ValidationError)) throw error;
      await read(filter);
    }
    return wanted.flatMap((k) => found.get(k) ?? []);
  }
}

const keyset = (limit: number, cursor: string | undefined): LogicalQuery['pagination'] => ({
  mode: 'keyset',
  limit,
  ...(cursor ? { cursor } : {}),
});

/**
 * Row order: a grouped view's group fields first (so groups are contiguous; a direction the
 * caller or the view gives them is kept), then the caller's sorts, then the view's own.
 * `origins`: for each sort, the index of the caller's sort it came from (-1: not the caller's).
 */
function rowSorts(plan: ViewPlan, extra: readonly Sort[]): { sorts: Sort[]; origins: number[] } {
  const direction = (field: string) =>
    extra.find((s) => s.field === field)?.direction ?? plan.sorts.find((s) => s.field === field)?.direction;
  const sorts: Sort[] = [];
  const origins: number[] = [];
  const add = (sort: Sort, origin: number) => {
    if (sorts.some((s) => s.field === sort.field)) return;
    sorts.push(sort);
    origins.push(origin);
  };
  for (const field of plan.groupBy?.fields ?? [])
    add(
      { field, direction: direction(field) ?? 'asc' },
      extra.findIndex((s) => s.field === field),
    );
  extra.forEach((sort, i) => add(sort, i));
  for (const sort of plan.sorts) add(sort, -1);
  return { sorts, origins };
}

/**
 * Per group field, its values on the page: `in` the non-null ones, or empty. Instants are read
 * to the millisecond while stored to the microsecond, so they are matched as a range instead.
 */
function keysFilter(
  fields: readonly string[],
  types: ReadonlyMap<string, string>,
  rows: readonly Row[],
): Filter | undefined {
  if (fields.length === 0) return undefined;
  return {
    and: fields.map((field): Filter => {
      const values = [...new Set(rows.map((r) => r[field] ?? null))];
      const present = values.filter((v) => v !== null);
      const some: Filter[] = [];
      if (present.length > 0 && types.get(field) === 'datetime') {
        const times = present.map((v) => Date.parse(String(v)));
        const after = new Date(Math.max(...times) + 1).toISOString();
        const from = new Date(Math.min(...times)).toISOString();
        some.push({
          and: [
            { field, op: 'gte', value: from },
            { field, op: 'lt', value: after },
          ],
        });
      } else if (present.length > 0) some.push({ field, op: 'in', value: present });
      if (present.length < values.length) some.push({ field, op: 'isEmpty' });
      return some.length === 1 ? (some[0] as Filter) : { or: some };
    }),
  };
}

function toGroup(groupBy: NonNullable<ViewPlan['groupBy']>, row: Row): ViewGroup {
  return {
    key: Object.fromEntries(groupBy.fields.map((f) => [f, row[f] ?? null])),
    count: Number(row[GROUP_COUNT] ?? 0),
    aggregates: Object.fromEntries(groupBy.aggregates.map((a) => [a.as, row[a.as] ?? null])),
  };
}

/** What a mini-DB view's statements depend on beyond their text: its tables' schema versions. */
export function versionSalt(plan: ViewPlan): string {
  return Object.entries(plan.schemaVersions)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([id, v]) => `${id}:${v}`)
    .join(',');
}
