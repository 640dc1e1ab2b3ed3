import { expect } from 'chai';
import type { AnyRoute } from '../../../dataplane/src/http/route.js';
import pg from 'pg';
import { auditRoutes } from '../../../dataplane/src/http/routes/audit.routes.js';
import { baseRoutes } from '../../../dataplane/src/http/routes/bases.routes.js';
import { connectionRoutes } from '../../../dataplane/src/http/routes/connections.routes.js';
import { invitationRoutes } from '../../../dataplane/src/http/routes/invitations.routes.js';
import { memberRoutes } from '../../../dataplane/src/http/routes/members.routes.js';
import { rowRoutes } from '../../../dataplane/src/http/routes/rows.routes.js';
import { attachmentRoutes } from '../../../dataplane/src/http/routes/attachments.routes.js';
import { tableRoutes } from '../../../dataplane/src/http/routes/tables.routes.js';
import { workspaceRoutes } from '../../../dataplane/src/http/routes/workspaces.routes.js';
import { viewRoutes } from '../../../dataplane/src/http/routes/views.routes.js';
import { viewApiRoutes } from '../../../dataplane/src/http/routes/view-apis.routes.js';
import { PERMISSIONS, can, type Permission } from '../../../dataplane/src/services/rbac/permissions.js';
import { ROLES, type Role } from '../../../dataplane/src/store/roles.js';
import { createTestDatabase } from '../../support/databases.js';
import { registerUser, startTestApp, type TestApp } from '../../support/test-app.js';

type User = Awaited<ReturnType<typeof registerUser>>;
type Caller = Role | 'non-member';

/** Everything a case may put in a path or body: a fresh workspace and its members. */
interface Fixture {
  workspaceId: string;
  targetId: string;
  invitationId: string;
  connectionId: string;
  baseId: string;
  tableId: string;
  columnId: string;
  rowId: string;
  /** The fixture row's row.create entry, and the table's table.update entry (its description). */
  rowAuditLogId: string;
  schemaAuditLogId: string;
  /** A file uploaded to the fixture table. */
  attachmentId: string;
  /** A view over the fixture table (published as an API, with one key), a template saved from it, and a view not published. */
  viewId: string;
  templateId: string;
  apiKeyId: string;
  unpublishedViewId: string;
}

/** An external PostgreSQL database the connection routes point at. */
let externalUrl = '';
const unique = () => Math.random().toString(36).slice(2);

/**
 * How to call each workspace-scoped route so that a caller whose role holds the permission
 * succeeds, and what success looks like. Fixtures are built so that no finer rule (last owner,
 * granting above your role) applies: the target is a viewer, there are two owners.
 */
const CALLS: Record<string, { status: number; body?: (f: Fixture) => unknown }> = {
  'get /api/v1/workspaces/:workspaceId': { status: 200 },
  'put /api/v1/workspaces/:workspaceId': { status: 200, body: () => ({ name: 'Renamed by matrix' }) },
  'delete /api/v1/workspaces/:workspaceId': { status: 204 },
  'get /api/v1/workspaces/:workspaceId/members': { status: 200 },
  'patch /api/v1/workspaces/:workspaceId/members/:userId': { status: 200, body: () => ({ role: 'editor' }) },
  'delete /api/v1/workspaces/:workspaceId/members/:userId': { status: 204 },
  'post /api/v1/workspaces/:workspaceId/leave': { status: 204 },
  'post /api/v1/workspaces/:workspaceId/transfer-ownership': {
    status: 200,
    body: (f) => ({ userId: f.targetId }),
  },
  'post /api/v1/workspaces/:workspaceId/invite': {
    status: 201,
    body: () => ({ email: `matrix-${Math.random().toString(36).slice(2)}@example.test`, role: 'viewer' }),
  },
  'get /api/v1/workspaces/:workspaceId/invitations': { status: 200 },
  'delete /api/v1/workspaces/:workspaceId/invitations/:invitationId': { status: 204 },
  'get /api/v1/connections': { status: 200 },
  'post /api/v1/workspaces/:workspaceId/keys/rotate': { status: 200, body: () => ({ reencrypt: true }) },
  'post /api/v1/connections': {
    status: 201,
    body: () => ({ name: `matrix-${unique()}`, type: 'postgres', uri: externalUrl }),
  },
  'get /api/v1/connections/:id': { status: 200 },
  'put /api/v1/connections/:id': { status: 200, body: () => ({ name: `renamed-${unique()}` }) },
  'delete /api/v1/connections/:id': { status: 204 },
  'post /api/v1/connections/:id/test': { status: 200 },
  'get /api/v1/connections/:id/schema': { status: 200 },
  'post /api/v1/connections/:id/schema/refresh': { status: 200 },
  'post /api/v1/connections/:id/query': { status: 200, body: () => ({ table: 'items', limit: 5 }) },
  'get /api/v1/workspaces/:workspaceId/bases': { status: 200 },
  'post /api/v1/workspaces/:workspaceId/bases': { status: 201, body: () => ({ name: 'Another base' }) },
  'get /api/v1/bases/:id': { status: 200 },
  'put /api/v1/bases/:id': { status: 200, body: () => ({ name: 'Renamed base' }) },
  'delete /api/v1/bases/:id': { status: 204 },
  'get /api/v1/workspaces/:workspaceId/templates': { status: 200 },
  'post /api/v1/workspaces/:workspaceId/bases/from-template': {
    status: 201,
    body: () => ({ templateId: 'crm' }),
  },
  'post /api/v1/bases/:id/duplicate': { status: 201, body: () => ({ withData: true }) },
  'post /api/v1/bases/:id/save-as-template': { status: 201, body: () => ({ name: 'Saved', withData: true }) },
  'get /api/v1/bases/:id/members': { status: 200 },
  'put /api/v1/bases/:id/members/:userId': { status: 200, body: () => ({ role: 'viewer' }) },
  'delete /api/v1/bases/:id/members/:userId': { status: 404 },
  'get /api/v1/bases/:baseId/tables': { status: 200 },
  'post /api/v1/bases/:baseId/tables': {
    status: 201,
    body: () => ({ name: `table-${unique()}`, columns: [{ name: 'Title', type: 'text' }] }),
  },
  'get /api/v1/tables/:id': { status: 200 },
  'get /api/v1/tables/:id/changes': { status: 200 },
  'put /api/v1/tables/:id': { status: 200, body: () => ({ name: `renamed-${unique()}` }) },
  'delete /api/v1/tables/:id': { status: 204 },
  'post /api/v1/tables/:id/archive': { status: 200 },
  'post /api/v1/tables/:id/restore': { status: 200 },
  'post /api/v1/tables/:id/columns': { status: 201, body: () => ({ name: 'Extra', type: 'integer' }) },
  'post /api/v1/tables/:id/columns/reorder': { status: 200, body: (f) => ({ columnIds: [f.columnId] }) },
  'put /api/v1/tables/:tableId/columns/:columnId': { status: 200, body: () => ({ name: 'Renamed' }) },
  'delete /api/v1/tables/:tableId/columns/:columnId': { status: 204 },
  'get /api/v1/tables/:id/indexes': { status: 200 },
  'post /api/v1/tables/:id/indexes': {
    status: 201,
    body: (f) => ({ columnId: f.columnId, direction: 'desc' }),
  },
  'delete /api/v1/tables/:tableId/indexes/:columnId': { status: 404 },
  'get /api/v1/tables/:id/rows': { status: 200 },
  'post /api/v1/tables/:id/rows': { status: 201, body: () => ({ fields: { Title: 'new' } }) },
  'post /api/v1/tables/:id/rows/bulk': {
    status: 200,
    body: () => ({ operation: 'create', rows: [{ fields: { Title: 'bulk' } }] }),
  },
  'get /api/v1/tables/:tableId/rows/:rowId': { status: 200 },
  'patch /api/v1/tables/:tableId/rows/:rowId': {
    status: 200,
    body: () => ({ fields: { Title: 'patched' } }),
  },
  'put /api/v1/tables/:tableId/rows/:rowId': { status: 200, body: () => ({ fields: { Title: 'replaced' } }) },
  'delete /api/v1/tables/:tableId/rows/:rowId': { status: 204 },
  'post /api/v1/tables/:tableId/rows/:rowId/resolve': {
    status: 200,
    body: () => ({ resolution: 'mine', version: 1, fields: { Title: 'resolved' } }),
  },
  'post /api/v1/tables/:tableId/rows/:rowId/lock': { status: 200, body: () => ({ ttlSeconds: 30 }) },
  // Nobody holds a lock on the fixture row: a permitted caller learns that (404), others get 403.
  'delete /api/v1/tables/:tableId/rows/:rowId/lock': { status: 404 },
  'get /api/v1/audit-logs': { status: 200 },
  'post /api/v1/audit-logs/revert': {
    status: 200,
    body: (f) => ({ auditLogIds: [f.rowAuditLogId], dryRun: false }),
  },
  'get /api/v1/tables/:tableId/history': { status: 200 },
  'post /api/v1/tables/:tableId/schema/revert/:auditLogId': { status: 200, body: () => ({}) },
  'get /api/v1/rows/:rowId/history': { status: 200 },
  'post /api/v1/rows/:rowId/revert/:auditLogId': { status: 200, body: () => ({}) },
  // The JSON body is the file: uploads store their raw bytes, whatever the Content-Type.
  'post /api/v1/tables/:id/attachments': { status: 201, body: () => ({ file: 'uploaded by the matrix' }) },
  'get /api/v1/attachments/:id': { status: 200 },
  'get /api/v1/views': { status: 200 },
  'post /api/v1/views': {
    status: 201,
    body: (f) => ({ name: 'Another view', source: { tableId: f.tableId } }),
  },
  'get /api/v1/views/:id': { status: 200 },
  'put /api/v1/views/:id': {
    status: 200,
    body: (f) => ({ name: 'Renamed view', source: { tableId: f.tableId } }),
  },
  'delete /api/v1/views/:id': { status: 204 },
  'get /api/v1/views/:id/data': { status: 200 },
  'get /api/v1/views/:id/versions': { status: 200 },
  'post /api/v1/views/:id/versions/:version/restore': { status: 200 },
  'post /api/v1/views/:id/duplicate': { status: 201, body: () => ({}) },
  'post /api/v1/views/:id/refresh': { status: 200 },
  'post /api/v1/views/:id/save-as-template': { status: 201, body: () => ({ name: 'Saved view template' }) },
  'get /api/v1/view-templates': { status: 200 },
  'post /api/v1/views/from-template': {
    status: 201,
    body: (f) => ({ templateId: 'grouped-summary', source: { tableId: f.tableId } }),
  },
  'delete /api/v1/view-templates/:templateId': { status: 204 },
  'get /api/v1/views/:id/api': { status: 200 },
  'post /api/v1/views/:id/api': { status: 201, body: () => ({ slug: `matrix-${unique()}`, auth: 'public' }) },
  'put /api/v1/views/:id/api': { status: 200, body: () => ({ slug: `renamed-${unique()}`, auth: 'apiKey' }) },
  'delete /api/v1/views/:id/api': { status: 204 },
  'get /api/v1/views/:id/api/keys': { status: 200 },
  'post /api/v1/views/:id/api/keys': { status: 201, body: () => ({ name: 'matrix key' }) },
  'delete /api/v1/views/:id/api/keys/:keyId': { status: 204 },
  'get /api/v1/views/:id/api/analytics': { status: 200 },
};

// Handlers are never called here: the factories only need something to close over.
const stub = {} as never;
const ROUTES: AnyRoute[] = [
  ...workspaceRoutes(stub),
  ...memberRoutes(stub),
  ...invitationRoutes(stub),
  ...connectionRoutes(stub),
  ...baseRoutes(stub, stub, stub),
  ...tableRoutes(stub, stub, stub),
  ...rowRoutes(stub, stub),
  ...attachmentRoutes(stub),
  ...auditRoutes(stub, stub),
  ...viewRoutes(stub, stub, stub),
  ...viewApiRoutes(stub, stub, stub),
].filter((r) => r.scope === 'workspace');
const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;
const CALLERS: Caller[] = [...ROLES, 'non-member'];

function expectedStatus(route: AnyRoute, caller: Caller): number {
  if (caller === 'non-member') return 404;
  return can(caller, route.permission as Permission) ? (CALLS[key(route)]?.status ?? -1) : 403;
}

describe('RBAC matrix: every role against every workspace-scoped route', () => {
  let app: TestApp;
  const users = {} as Record<Role | 'coOwner' | 'target' | 'non-member', User>;

  let dropExternal: () => Promise<void>;

  before(async () => {
    const external = await createTestDatabase();
    externalUrl = external.url;
    dropExternal = external.drop;
    const client = new pg.Client({ connectionString: externalUrl });
    await client.connect();
    await client.query(
      "CREATE TABLE items (id int PRIMARY KEY, name text); INSERT INTO items VALUES (1, 'one'), (2, 'two')",
    );
    await client.end();
    app = await startTestApp({ LT_CONNECTION_ALLOW: '127.0.0.0/8' });
    for (const name of [...ROLES, 'coOwner', 'target', 'non-member'] as const) {
      users[name] = await registerUser(app, name);
    }
  });
  after(async () => {
    await app.stop();
    await dropExternal();
  });

  /** A fresh workspace per case, so destructive calls never affect another case. */
  async function freshFixture(): Promise<Fixture> {
    const created = await app.request('POST', '/api/v1/workspaces', {
      token: users.owner.accessToken,
      body: { name: 'Matrix' },
    });
    expect(created.status).to.equal(201);
    const workspaceId: string = created.body.id;
    const rows: [User, Role][] = [
      [users.coOwner, 'owner'],
      [users.admin, 'admin'],
      [users.editor, 'editor'],
      [users.viewer, 'viewer'],
      [users.target, 'viewer'],
    ];
    await app.dataplane
      .knex('workspace_members')
      .insert(rows.map(([u, role]) => ({ workspace_id: workspaceId, user_id: u.id, role })));
    const invited = await app.request('POST', `/api/v1/workspaces/${workspaceId}/invite`, {
      token: users.owner.accessToken,
      body: { email: 'pending@example.test', role: 'viewer' },
    });
    expect(invited.status).to.equal(201);
    const connection = await app.request('POST', '/api/v1/connections', {
      token: users.owner.accessToken,
      headers: { 'x-workspace-id': workspaceId },
      body: { name: 'matrix', type: 'postgres', uri: externalUrl },
    });
    expect(connection.status, JSON.stringify(connection.body)).to.equal(201);
    const owner = { token: users.owner.accessToken };
    const base = await app.request('POST', `/api/v1/workspaces/${workspaceId}/bases`, {
      ...owner,
      body: { name: 'Matrix base' },
    });
    expect(base.status, JSON.stringify(base.body)).to.equal(201);
    const table = await app.request('POST', `/api/v1/bases/${base.body.id}/tables`, {
      ...owner,
      body: { name: 'Matrix table', columns: [{ name: 'Title', type: 'text' }] },
    });
    expect(table.status, JSON.stringify(table.body)).to.equal(201);
    const row = await app.request('POST', `/api/v1/tables/${table.body.id}/rows`, {
      ...owner,
      body: { fields: { Title: 'first' } },
    });
    expect(row.status, JSON.stringify(row.body)).to.equal(201);
    const described = await app.request('PUT', `/api/v1/tables/${table.body.id}`, {
      ...owner,
      body: { description: 'described by the matrix' },
    });
    expect(described.status, JSON.stringify(described.body)).to.equal(200);
    const file = await app.request('POST', `/api/v1/tables/${table.body.id}/attachments?name=matrix.txt`, {
      ...owner,
      rawBody: 'a file of the matrix',
      headers: { 'content-type': 'text/plain' },
    });
    expect(file.status, JSON.stringify(file.body)).to.equal(201);
    const viewOf = async (name: string): Promise<string> => {
      const created = await app.request('POST', '/api/v1/views', {
        ...owner,
        headers: { 'x-workspace-id': workspaceId },
        body: { name, source: { tableId: table.body.id } },
      });
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      return created.body.id as string;
    };
    const viewId = await viewOf('Matrix view');
    const template = await app.request('POST', `/api/v1/views/${viewId}/save-as-template`, {
      ...owner,
      body: { name: 'Matrix template' },
    });
    expect(template.status, JSON.stringify(template.body)).to.equal(201);
    const { schema_name: schema } = await app.dataplane
      .knex('workspaces')
      .where({ id: workspaceId })
      .first('schema_name');
    const published = await app.request('POST', `/api/v1/views/${viewId}/api`, {
      ...owner,
      body: { slug: `matrix-${unique()}`, auth: 'apiKey' },
    });
    expect(published.status, JSON.stringify(published.body)).to.equal(201);
    const entryOf = async (action: string, resourceId: string) =>
      (
        await app.dataplane.knex
          .withSchema(schema)
          .table('audit_logs')
          .where({ action, resource_id: resourceId })
          .first('id')
      ).id as string;
    return {
      workspaceId,
      targetId: users.target.id,
      invitationId: invited.body.invitation.id,
      connectionId: connection.body.id,
      baseId: base.body.id,
      tableId: table.body.id,
      columnId: table.body.columns[0].id,
      rowId: row.body.id,
      rowAuditLogId: await entryOf('row.create', row.body.id),
      schemaAuditLogId: await entryOf('table.update', table.body.id),
      attachmentId: file.body.id,
      viewId,
      templateId: template.body.id,
      apiKeyId: published.body.apiKeyId,
      unpublishedViewId: await viewOf('Unpublished view'),
    };
  }

  /** What a refused call must leave untouched. */
  async function snapshot(workspaceId: string) {
    const knex = app.dataplane.knex;
    return {
      workspace: await knex('workspaces').where({ id: workspaceId }).first('name', 'description', 'settings'),
      members: await knex('workspace_members')
        .where({ workspace_id: workspaceId })
        .orderBy('user_id')
        .select('user_id', 'role'),
      invitations: await knex('invitations')
        .where({ workspace_id: workspaceId })
        .orderBy('id')
        .select('id', 'status'),
      connections: await connectionsOf(workspaceId),
      miniDb: await miniDbOf(workspaceId),
      viewApis: await viewApisOf(workspaceId),
    };
  }

  /** Published views, their keys and the slug directory's entries of the workspace. */
  async function viewApisOf(workspaceId: string) {
    const knex = app.dataplane.knex;
    const workspace = await knex('workspaces').where({ id: workspaceId }).first('schema_name');
    if (!workspace) return [];
    const s = workspace.schema_name as string;
    return {
      apis: await knex.withSchema(s).table('view_apis').orderBy('id').select('id', 'slug', 'auth', 'version'),
      keys: await knex.withSchema(s).table('api_keys').orderBy('id').select('id', 'revoked_at'),
      slugs: await knex('public_api_slugs')
        .where({ workspace_id: workspaceId })
        .orderBy('slug')
        .select('slug', 'redirect_until'),
    };
  }

  /** Bases, tables, columns and every user table's rows (id, version) of the workspace. */
  async function miniDbOf(workspaceId: string) {
    const knex = app.dataplane.knex;
    const workspace = await knex('workspaces').where({ id: workspaceId }).first('schema_name');
    if (!workspace) return [];
    const s = workspace.schema_name as string;
    const tables = await knex
      .withSchema(s)
      .table('tables')
      .orderBy('id')
      .select('id', 'name', 'archived_at', 'schema_version');
    const rows = [];
    for (const t of tables)
      rows.push(
        await knex
          .withSchema(s)
          .table(`t_${String(t.id).replaceAll('-', '')}`)
          .orderBy('id')
          .select('id', 'version'),
      );
    return {
      bases: await knex.withSchema(s).table('bases').orderBy('id').select('id', 'name'),
      tables,
      columns: await knex
        .withSchema(s)
        .table('columns')
        .orderBy('id')
        .select('id', 'name', 'type', 'position'),
      rows,
      locks: await knex.withSchema(s).table('row_locks').select('row_id', 'holder_id'),
      attachments: await knex.withSchema(s).table('attachments').orderBy('id').select('id'),
      views: await knex.withSchema(s).table('views').orderBy('id').select('id', 'name', 'version'),
      viewVersions: await knex
        .withSchema(s)
        .table('view_versions')
        .orderBy(['view_id', 'version'])
        .select('view_id', 'version'),
      viewTemplates: await knex.withSchema(s).table('view_templates').orderBy('id').select('id'),
    };
  }

  async function connectionsOf(workspaceId: string) {
    const knex = app.dataplane.knex;
    const workspace = await knex('workspaces').where({ id: workspaceId }).first('schema_name');
    if (!workspace) return [];
    return knex
      .withSchema(workspace.schema_name)
      .table('connections')
      .orderBy('id')
      .select('id', 'name', 'updated_at');
  }

  it('the table covers every workspace-scoped route the app serves, each with a known permission', async () => {
    const doc = await app.request('GET', '/api/v1/openapi.json');
    const served: string[] = [];
    for (const [path, item] of Object.entries(
      doc.body.paths as Record<string, Record<string, { 'x-permission'?: string }>>,
    )) {
      for (const [method, op] of Object.entries(item)) {
        if (op['x-permission']) served.push(`${method} ${path.replace(/\{(\w+)\}/g, ':$1')}`);
      }
    }
    expect(
      ROUTES.map(key),
      'every workspace-scoped route the app serves belongs in this table: add its factory to ROUTES and a CALLS entry',
    ).to.have.members(served);
    expect(Object.keys(CALLS)).to.have.members(ROUTES.map(key));
    for (const route of ROUTES) expect(PERMISSIONS).to.have.property(route.permission as string);
    // The matrix is not degenerate: some route is denied to some member.
    expect(ROUTES.some((r) => ROLES.some((role) => expectedStatus(r, role) === 403))).to.equal(true);
  });

  for (const route of ROUTES) {
    const permission = route.permission as Permission;
    describe(`${route.method.toUpperCase()} ${route.path} (needs ${permission})`, () => {
      for (const caller of CALLERS) {
        const expected = expectedStatus(route, caller);
        const verdict = expected === 404 ? 'gets 404' : expected === 403 ? 'is denied with 403' : 'passes';
        it(`${caller} ${verdict}`, async () => {
          const call = CALLS[key(route)];
          expect(call, `no fixture for ${key(route)} in CALLS`).to.not.equal(undefined);
          const fixture = await freshFixture();
          const before = await snapshot(fixture.workspaceId);
          const itemId = route.path.startsWith('/api/v1/bases/:id')
            ? fixture.baseId
            : route.path.startsWith('/api/v1/tables/:id')
              ? fixture.tableId
              : route.path.startsWith('/api/v1/attachments/:id')
                ? fixture.attachmentId
                : route.path.startsWith('/api/v1/views/:id')
                  ? key(route) === 'post /api/v1/views/:id/api'
                    ? fixture.unpublishedViewId
                    : fixture.viewId
                  : fixture.connectionId;
          const path = route.path
            .replace(':workspaceId', fixture.workspaceId)
            .replace(':userId', fixture.targetId)
            .replace(':invitationId', fixture.invitationId)
            .replace(':baseId', fixture.baseId)
            .replace(':tableId', fixture.tableId)
            .replace(':columnId', fixture.columnId)
            .replace(':rowId', fixture.rowId)
            .replace(':templateId', fixture.templateId)
            .replace(':version', '1')
            .replace(':keyId', fixture.apiKeyId)
            .replace(
              ':auditLogId',
              route.path.includes('/schema/') ? fixture.schemaAuditLogId : fixture.rowAuditLogId,
            )
            .replace(':id', itemId);
          const body = call?.body?.(fixture);
          const res = await app.request(route.method.toUpperCase(), path, {
            token: users[caller].accessToken,
            headers: { 'x-workspace-id': fixture.workspaceId },
            ...(body === undefined ? {} : { body }),
          });
          expect(res.status, `${caller} ${route.method} ${route.path}: ${JSON.stringify(res.body)}`).to.equal(
            expected,
          );
          if (expected === 403 || expected === 404) {
            expect(res.body.code).to.equal(expected === 403 ? 'forbidden' : 'not_found');
            expect(await snapshot(fixture.workspaceId)).to.deep.equal(before);
          } else {
            expect(res.status).to.not.equal(403);
          }
        });
      }
    });
  }
});
