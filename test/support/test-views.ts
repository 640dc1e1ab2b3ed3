import type { Knex } from 'knex';
import type { ViewRunnerDeps } from '../../dataplane/src/dataplane.js';
import { NotFoundError, ValidationError, type FieldProblem } from '../../dataplane/src/platform/errors.js';
import { newId } from '../../dataplane/src/platform/ids.js';
import { logicalTypeOf } from '../../dataplane/src/services/tables/column-types.js';
import type { Column } from '../../dataplane/src/services/tables/column.js';
import { forgetOnChange } from '../../dataplane/src/services/cache-invalidation.js';
import { transactionRunner } from '../../dataplane/src/services/unit-of-work.js';
import type {
  PublicViewPage,
  PublicViewQuery,
  ViewRunner,
  ViewShape,
} from '../../dataplane/src/services/view-apis/view-runner.port.js';
import type { WorkspaceAccess } from '../../dataplane/src/services/workspaces/workspace-access.js';
import { quoteIdent } from '../../dataplane/src/store/identifiers.js';
import { Workspace } from '../../dataplane/src/store/models/workspace.model.js';
import { isUndefinedTable } from '../../dataplane/src/store/pg-errors.js';
import { queryPrepared } from '../../dataplane/src/store/prepared.js';
import { ScopedCache } from '../../dataplane/src/platform/scoped-cache.js';
import { userTableName } from '../../dataplane/src/store/user-tables/names.js';
import type { Dataplane } from '../../dataplane/src/dataplane.js';

/**
 * A real, minimal views engine for tests of the public view APIs until services/views lands
 * (then the real one replaces it: startTestApp wires whichever ViewRunner it is given). A view
 * here is one mini-DB table and the list of its columns that are visible, kept in the
 * workspace schema (`lt_test_views`); pages are read through services/rows against PostgreSQL.
 * Its data version is a counter a statement-level trigger on the table's physical table bumps
 * in the writing transaction, so it moves exactly when committed data does. Definitions are
 * cached as the dataplane caches tables (the table cache, and a cache of view rows, both
 * forgotten on `workspace.changed`), so a page costs its one statement.
 */
export class TestViewRunner implements ViewRunner {
  /** runPublic calls so far: each is one source query of the view. */
  runs = 0;
  private readonly workspaces = new Map<string, Workspace>();
  /** View definitions, forgotten like every workspace cache on a committed change (ADR 0012). */
  private readonly views = new ScopedCache<TestViewRow>({ max: 1_000, ttlMs: 30_000 });

  constructor(private readonly deps: ViewRunnerDeps) {
    forgetOnChange(deps.bus, [
      { forgetWorkspace: (id) => this.views.forgetScope(id), clear: () => this.views.clear() },
    ]);
  }

  async describe(workspaceId: string, viewId: string): Promise<ViewShape> {
    const { view, table, visible } = await this.load(workspaceId, viewId);
    return {
      version: view.version + table.schemaVersion,
      columns: visible.map((c) => ({ name: c.name, type: logicalTypeOf(c) })),
      sourceTables: [table.id],
    };
  }

  async runPublic(workspaceId: string, viewId: string, query: PublicViewQuery): Promise<PublicViewPage> {
    this.runs++;
    const { table, visible, workspace } = await this.load(workspaceId, viewId);
    const byName = new Map(visible.map((c) => [c.name, c]));
    const problems: FieldProblem[] = [];
    const idOf = (name: string, path: string) => {
      const column = byName.get(name);
      if (!column) problems.push({ path, message: `no field ${JSON.stringify(name)}` });
      return column?.id ?? name;
    };
    const filter = query.filter === undefined ? undefined : renameFilter(query.filter, 'filter', idOf);
    const sort = query.sort
      ?.split(',')
      .map((part, i) =>
        part.startsWith('-') ? `-${idOf(part.slice(1), `sort[${i}]`)}` : idOf(part, `sort[${i}]`),
      )
      .join(',');
    const fields = (query.fields ?? visible.map((c) => c.name)).map((name, i) => idOf(name, `fields[${i}]`));
    if (problems.length > 0) throw new ValidationError('invalid query', problems);
    const access: WorkspaceAccess = { workspace, role: 'viewer' };
    const page = await this.deps.rows.list(
      access,
      table.id,
      {
        limit: query.limit,
        ...(query.cursor ? { cursor: query.cursor } : {}),
        ...(filter === undefined ? {} : { filter: JSON.stringify(filter) }),
        ...(sort ? { sort } : {}),
        fields: fields.join(','),
      },
      'none',
      'name',
    );
    return {
      data: page.data.map((row) => ({ id: row.id, fields: row.fields })),
      nextCursor: page.nextCursor,
    };
  }

  /** The table's counter, read fresh: one prepared statement on the primary key. */
  async dataVersion(workspaceId: string, viewId: string): Promise<string> {
    const workspace = await this.workspace(workspaceId);
    const view = await this.view(workspace, viewId);
    const s = quoteIdent(workspace.schemaName);
    const [row] = await queryPrepared(
      this.deps.knex,
      `lt_test_data_version_${workspace.schemaName}`,
      `SELECT version FROM ${s}.lt_test_data_versions WHERE table_id = $1`,
      [view.table_id],
    );
    return String(row?.version ?? 0);
  }

  private async load(workspaceId: string, viewId: string) {
    const workspace = await this.workspace(workspaceId);
    const view = await this.view(workspace, viewId);
    const access: WorkspaceAccess = { workspace, role: 'viewer' };
    const { table } = await this.deps.tables.readModel(access, view.table_id).catch((error: unknown) => {
      throw error instanceof NotFoundError ? new NotFoundError('View') : error;
    });
    const visible = view.visible
      .map((name) => table.columns.find((c) => c.name === name))
      .filter((c): c is Column => c !== undefined);
    return { workspace, view, table, visible };
  }

  private view(workspace: Workspace, viewId: string): Promise<TestViewRow> {
    return this.views.getOrLoad(`${workspace.id}:${viewId}`, async () => {
      const row = (await this.deps.knex
        .withSchema(workspace.schemaName)
        .table('lt_test_views')
        .where({ id: viewId })
        .first('table_id', 'visible', 'version')
        .catch(notFoundIfNoViews)) as TestViewRow | undefined;
      if (!row) throw new NotFoundError('View');
      return { scope: workspace.id, value: row };
    });
  }

  private async workspace(workspaceId: string): Promise<Workspace> {
    let workspace = this.workspaces.get(workspaceId);
    if (!workspace) {
      workspace = await Workspace.query(this.deps.knex).findById(workspaceId);
      if (!workspace) throw new NotFoundError('View');
      this.workspaces.set(workspaceId, workspace);
    }
    return workspace;
  }
}

interface TestViewRow {
  table_id: string;
  visible: string[];
  version: number;
}

function notFoundIfNoViews(error: unknown): never {
  throw isUndefinedTable(error) ? new NotFoundError('View') : error;
}

/** The filter with every field renamed to its column id (visible columns only). */
function renameFilter(node: unknown, path: string, idOf: (name: string, path: string) => string): unknown {
  if (typeof node !== 'object' || node === null) return node;
  if (Array.isArray(node)) return node.map((n, i) => renameFilter(n, `${path}[${i}]`, idOf));
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => {
      if (key === 'field' && typeof value === 'string') return [key, idOf(value, `${path}.field`)];
      if (key === 'and' || key === 'or' || key === 'not')
        return [key, renameFilter(value, `${path}.${key}`, idOf)];
      return [key, value];
    }),
  );
}

export interface TestViewInput {
  workspaceId: string;
  tableId: string;
  /** Names of the columns the view shows, in order; the table's other columns are hidden. */
  visible: string[];
  actorId: string;
}

/** Creates a test view: its row, its directory entry, the data-version trigger, an audit entry. */
export async function createTestView(dataplane: Dataplane, input: TestViewInput): Promise<string> {
  const id = newId();
  await transactionRunner(dataplane.knex, dataplane.bus, dataplane.log).run(input.actorId, async (uow) => {
    const schema = await schemaOf(uow.trx, input.workspaceId);
    const s = quoteIdent(schema);
    await uow.trx.raw(`
      CREATE TABLE IF NOT EXISTS ${s}.lt_test_views (
        id uuid PRIMARY KEY, table_id uuid NOT NULL, visible text[] NOT NULL, version int NOT NULL DEFAULT 1);
      CREATE TABLE IF NOT EXISTS ${s}.lt_test_data_versions (table_id uuid PRIMARY KEY, version bigint NOT NULL);
      CREATE OR REPLACE FUNCTION ${s}.lt_test_bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        INSERT INTO ${s}.lt_test_data_versions AS d VALUES (TG_ARGV[0]::uuid, 1)
          ON CONFLICT (table_id) DO UPDATE SET version = d.version + 1;
        RETURN NULL;
      END $fn$`);
    await uow.trx.raw(
      `CREATE OR REPLACE TRIGGER lt_test_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
       ON ${s}.${quoteIdent(userTableName(input.tableId))}
       FOR EACH STATEMENT EXECUTE FUNCTION ${s}.lt_test_bump_data_version('${input.tableId.replace(/[^0-9a-f-]/g, '')}')`,
    );
    await uow.trx
      .withSchema(schema)
      .table('lt_test_views')
      .insert({ id, table_id: input.tableId, visible: input.visible });
    await uow.trx('resource_directory').insert({ id, workspace_id: input.workspaceId, kind: 'view' });
    await uow.audit(
      {
        workspaceId: input.workspaceId,
        action: 'view.create',
        resourceType: 'view',
        resourceId: id,
        after: { tableId: input.tableId, visible: input.visible },
      },
      schema,
    );
  });
  return id;
}

/** Changes which columns a test view shows (a new view version), audited like any change. */
export async function updateTestView(
  dataplane: Dataplane,
  input: { workspaceId: string; viewId: string; visible: string[]; actorId: string },
): Promise<void> {
  await transactionRunner(dataplane.knex, dataplane.bus, dataplane.log).run(input.actorId, async (uow) => {
    const schema = await schemaOf(uow.trx, input.workspaceId);
    await uow.trx
      .withSchema(schema)
      .table('lt_test_views')
      .where({ id: input.viewId })
      .update({ visible: input.visible, version: uow.trx.raw('version + 1') });
    await uow.audit(
      {
        workspaceId: input.workspaceId,
        action: 'view.update',
        resourceType: 'view',
        resourceId: input.viewId,
        after: { visible: input.visible },
      },
      schema,
    );
  });
}

async function schemaOf(knex: Knex, workspaceId: string): Promise<string> {
  const row = (await knex('workspaces').where({ id: workspaceId }).first('schema_name')) as
    { schema_name: string } | undefined;
  if (!row) throw new Error(`no workspace ${workspaceId}`);
  return row.schema_name;
}
