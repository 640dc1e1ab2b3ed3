import { NotFoundError, type FieldProblem } from '../../platform/errors.js';
import { catalogOf } from '../../query/catalog.js';
import type { Join, LogicalQuery } from '../../query/lqp.js';
import type { ConnectionsService } from '../connections/connections.service.js';
import type { WorkspaceAccess } from '../workspaces/workspace-access.js';
import type { ExternalSource, ViewDefinition } from './view-definition.js';
import {
  checkQueries,
  groupedQuery,
  hiddenGroupProblems,
  type PathMap,
  type PlanOutcome,
  type ViewPlan,
} from './view-plan.js';

type Definition = ViewDefinition & { source: ExternalSource };

const same = (ref: string): string => ref;

/**
 * A view over a table (or collection) of an external connection: the LQP as the connection's
 * own query route runs it, checked against the connection's discovered schema (cached; a schema
 * refresh that no longer finds a table or column makes the view broken). Joins stay inside the
 * connection and are on fields.
 */
export class ExternalViewPlanner {
  constructor(private readonly connections: ConnectionsService) {}

  async plan(access: WorkspaceAccess, definition: Definition): Promise<PlanOutcome> {
    const { connectionId, table: name, schema } = definition.source;
    const discovered = await this.discover(access, connectionId);
    if (!('tables' in discovered)) return discovered;
    const catalog = catalogOf(discovered.tables);
    const table = catalog.table(name, schema);
    if (!table)
      return {
        ok: false,
        problems: [{ path: 'source.table', message: `the connection has no table ${JSON.stringify(name)}` }],
      };
    const problems: FieldProblem[] = [];
    const joins: Join[] = [];
    for (const [i, join] of (definition.joins ?? []).entries()) {
      if (join.link !== undefined)
        problems.push({ path: `joins[${i}].link`, message: 'only views over mini-DB tables follow links' });
      else if (join.table === undefined || join.on === undefined)
        problems.push({
          path: `joins[${i}]`,
          message: 'names a table of the connection and its condition (on)',
        });
      else
        joins.push({
          table: join.table,
          ...(join.schema !== undefined ? { schema: join.schema } : {}),
          as: join.as,
          ...(join.type ? { type: join.type } : {}),
          on: join.on,
        });
    }
    if (problems.length > 0) return { ok: false, problems };
    const base: ViewPlan['base'] = {
      source: { table: name, ...(schema !== undefined ? { schema } : {}) },
      ...(joins.length ? { joins } : {}),
      ...(definition.computedColumns?.length ? { computedColumns: definition.computedColumns } : {}),
      ...(definition.filter ? { filter: definition.filter } : {}),
    };
    const visible = definition.visibleColumns ?? [
      ...table.columns.map((c) => c.name),
      ...(definition.computedColumns ?? []).map((c) => c.name),
    ];
    const sorts = definition.sort ?? [];
    const rows: LogicalQuery = {
      ...base,
      select: visible,
      ...(sorts.length ? { sorts } : {}),
      pagination: { mode: 'keyset', limit: 1 },
    };
    const map: PathMap = { joins: joins.map((_, i) => i), computedOffset: 0 };
    const groupBy = definition.groupBy;
    const checked = checkQueries(
      { rows, ...(groupBy ? { groups: groupedQuery(base, groupBy, { mode: 'keyset', limit: 1 }) } : {}) },
      catalog,
      map,
    );
    problems.push(...checked.problems, ...hiddenGroupProblems(groupBy, definition.visibleColumns, same));
    if (problems.length > 0) return { ok: false, problems };
    return {
      ok: true,
      plan: {
        kind: 'external',
        base,
        sorts,
        ...(groupBy ? { groupBy } : {}),
        outputs: visible.map((n) => ({ name: n, type: checked.types.get(n) ?? 'unknown' })),
        resolve: same,
        catalog,
        sourceTables: [],
        baseIds: [],
        schemaVersions: {},
        connectionId,
      },
    };
  }

  /** The connection's discovered schema, or why the view cannot be judged against it. */
  private async discover(
    access: WorkspaceAccess,
    connectionId: string,
  ): Promise<Awaited<ReturnType<ConnectionsService['schema']>> | Extract<PlanOutcome, { ok: false }>> {
    try {
      await this.connections.get(access, connectionId);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      return {
        ok: false,
        problems: [{ path: 'source.connectionId', message: 'the connection no longer exists' }],
      };
    }
    try {
      return await this.connections.schema(access, connectionId);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return {
        ok: false,
        unavailable: true,
        problems: [{ path: 'source.connectionId', message: `the connection cannot be read now: ${reason}` }],
      };
    }
  }
}
