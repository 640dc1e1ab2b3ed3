import { expect } from 'chai';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { createTestDatabase } from '../../support/databases.js';
import { registerUser, startTestApp, type TestApp } from '../../support/test-app.js';

type User = Awaited<ReturnType<typeof registerUser>>;

const PASSWORD = 's3cret-Pässword';

/** Connections over HTTP against the machine's real PostgreSQL and MariaDB. */
describe('connections API', () => {
  let app: TestApp;
  let external: { url: string; drop: () => Promise<void> };
  const mariaDb = `lt_test_conn_${process.pid}_${Date.now().toString(36)}`;
  let owner: User;
  let editor: User;
  let viewer: User;
  let outsider: User;
  let workspaceId: string;

  before(async () => {
    external = await createTestDatabase();
    const client = new pg.Client({ connectionString: external.url });
    await client.connect();
    await client.query(
      `DO $$ BEGIN CREATE ROLE lt_conn_reader LOGIN PASSWORD '${PASSWORD}'; EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
    );
    await client.query(`
      CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, city text);
      CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers(id), total numeric(10,2));
      INSERT INTO customers VALUES (1, 'Ada', 'Zürich'), (2, 'Grace', NULL), (3, 'Linus', 'Helsinki');
      INSERT INTO orders VALUES (10, 1, 25.50), (11, 1, 4.50), (12, 3, 100.00);
      GRANT SELECT ON ALL TABLES IN SCHEMA public TO lt_conn_reader;
    `);
    await client.end();
    const maria = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '' });
    await maria.query(`CREATE DATABASE ${mariaDb}`);
    await maria.query(
      `CREATE TABLE ${mariaDb}.products (id int PRIMARY KEY, title varchar(100), price decimal(10,2))`,
    );
    await maria.query(`INSERT INTO ${mariaDb}.products VALUES (1, 'Äpfel', 2.50), (2, 'Birnen', NULL)`);
    await maria.end();

    app = await startTestApp({ LT_CONNECTION_ALLOW: '127.0.0.0/8' });
    owner = await registerUser(app, 'owner');
    editor = await registerUser(app, 'editor');
    viewer = await registerUser(app, 'viewer');
    outsider = await registerUser(app, 'outsider');
    const ws = await app.request('POST', '/api/v1/workspaces', {
      token: owner.accessToken,
      body: { name: 'Explorer' },
    });
    workspaceId = ws.body.id;
    await app.dataplane.knex('workspace_members').insert([
      { workspace_id: workspaceId, user_id: editor.id, role: 'editor' },
      { workspace_id: workspaceId, user_id: viewer.id, role: 'viewer' },
    ]);
    await app.request('POST', '/api/v1/workspaces', {
      token: outsider.accessToken,
      body: { name: 'Elsewhere' },
    });
  });

  after(async () => {
    await app.stop();
    await external.drop();
    const maria = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '' });
    await maria.query(`DROP DATABASE IF EXISTS ${mariaDb}`);
    await maria.end();
  });

  const call = (method: string, path: string, user: User, body?: unknown) =>
    app.request(method, path, {
      token: user.accessToken,
      headers: { 'x-workspace-id': workspaceId },
      ...(body === undefined ? {} : { body }),
    });

  const pgBody = (extra: Record<string, unknown> = {}) => {
    const url = new URL(external.url);
    return {
      name: `pg-${Math.random().toString(36).slice(2)}`,
      type: 'postgres',
      host: url.hostname,
      port: Number(url.port),
      database: url.pathname.slice(1),
      username: 'lt_conn_reader',
      password: PASSWORD,
      ...extra,
    };
  };

  async function schemaName(): Promise<string> {
    return (await app.dataplane.knex('workspaces').where({ id: workspaceId }).first('schema_name'))
      .schema_name;
  }

  it('creates a connection: 201 without credentials, the password sealed in the database', async () => {
    const res = await call('POST', '/api/v1/connections', owner, pgBody({ name: 'warehouse' }));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body).to.include({
      name: 'warehouse',
      type: 'postgres',
      username: 'lt_conn_reader',
      status: 'unknown',
      readOnly: false,
    });
    expect(JSON.stringify(res.body)).to.not.include(PASSWORD);
    const row = await app.dataplane.knex
      .withSchema(await schemaName())
      .table('connections')
      .where({ id: res.body.id })
      .first();
    expect(row.secret).to.match(/^v1\.\d+\./);
    expect(row.secret).to.not.include(PASSWORD);
    expect(row.secret).to.not.include(Buffer.from(PASSWORD).toString('base64'));
    expect(await app.dataplane.knex('resource_directory').where({ id: res.body.id }).first()).to.include({
      workspace_id: workspaceId,
      kind: 'connection',
    });
    const [audit] = await app.dataplane.knex
      .withSchema(await schemaName())
      .table('audit_logs')
      .where({ resource_id: res.body.id, action: 'connection.create' });
    expect(audit.actor_id).to.equal(owner.id);
    expect(JSON.stringify(audit.after)).to.not.include(PASSWORD);
  });

  it('tests, discovers and queries it; the status records the outcome', async () => {
    const created = await call('POST', '/api/v1/connections', owner, pgBody());
    const id = created.body.id as string;
    const tested = await call('POST', `/api/v1/connections/${id}/test`, owner);
    expect(tested.status).to.equal(200);
    expect(tested.body.ok, JSON.stringify(tested.body)).to.equal(true);
    expect((await call('GET', `/api/v1/connections/${id}`, editor)).body.status).to.equal('ok');

    const schema = await call('GET', `/api/v1/connections/${id}/schema`, editor);
    expect(schema.status).to.equal(200);
    const orders = schema.body.tables.find((t: { name: string }) => t.name === 'orders');
    expect(orders.primaryKey).to.deep.equal(['id']);
    expect(orders.foreignKeys[0]).to.deep.include({
      columns: ['customer_id'],
      refTable: 'customers',
      refColumns: ['id'],
    });

    const query = await call('POST', `/api/v1/connections/${id}/query`, editor, {
      table: 'orders',
      joins: [{ table: 'customers', as: 'c', type: 'inner', on: { left: 'customer_id', right: 'id' } }],
      select: ['id', 'total', 'c.name'],
      filter: {
        and: [
          { field: 'total', op: 'gt', value: 5 },
          { field: 'c.city', op: 'isNotEmpty' },
        ],
      },
      sort: [{ field: 'total', direction: 'desc' }],
      limit: 10,
    });
    expect(query.status, JSON.stringify(query.body)).to.equal(200);
    expect(query.body.data).to.deep.equal([
      { id: 12, total: 100, 'c.name': 'Linus' },
      { id: 10, total: 25.5, 'c.name': 'Ada' },
    ]);
    expect(query.body.nextCursor).to.equal(null);
  });

  it('a query naming an unknown field answers 422 naming the path; a wrong value type too', async () => {
    const { body } = await call('POST', '/api/v1/connections', owner, pgBody());
    const unknown = await call('POST', `/api/v1/connections/${body.id}/query`, editor, {
      table: 'orders',
      filter: { field: 'nope', op: 'eq', value: 1 },
    });
    expect(unknown.status).to.equal(422);
    expect(unknown.body.code).to.equal('validation_failed');
    const wrongType = await call('POST', `/api/v1/connections/${body.id}/query`, editor, {
      table: 'orders',
      filter: {
        and: [
          { field: 'id', op: 'eq', value: 1 },
          { field: 'total', op: 'gt', value: 'lots' },
        ],
      },
    });
    expect(wrongType.status).to.equal(422);
    expect(wrongType.body.detail).to.match(/filter\.and\[1\]\.value/);
  });

  it('pages with the keyset cursor, each row once', async () => {
    const { body } = await call('POST', '/api/v1/connections', owner, pgBody());
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { data: { id: number }[]; nextCursor: string | null } } =
        await call('POST', `/api/v1/connections/${body.id}/query`, editor, {
          table: 'customers',
          sort: [{ field: 'city', direction: 'asc' }],
          limit: 1,
          ...(cursor ? { cursor } : {}),
        });
      expect(page.status).to.equal(200);
      seen.push(...page.body.data.map((r) => r.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect([...seen].sort()).to.deep.equal([1, 2, 3]);
    expect(seen).to.have.length(3);
  });

  it('raw SQL: refused unless the connection allows it, then for admins only, and audited', async () => {
    const { body } = await call('POST', '/api/v1/connections', owner, pgBody());
    const disabled = await call('POST', `/api/v1/connections/${body.id}/query`, owner, {
      sql: 'SELECT 1 AS one',
    });
    expect(disabled.status).to.equal(403);
    expect(disabled.body.code).to.equal('raw_queries_disabled');
    expect(
      (await call('PUT', `/api/v1/connections/${body.id}`, owner, { allowRawQueries: true })).status,
    ).to.equal(200);
    const byEditor = await call('POST', `/api/v1/connections/${body.id}/query`, editor, {
      sql: 'SELECT 1 AS one',
    });
    expect(byEditor.status).to.equal(403);
    const raw = await call('POST', `/api/v1/connections/${body.id}/query`, owner, {
      sql: 'SELECT name FROM customers WHERE id = $1',
      params: [2],
    });
    expect(raw.status, JSON.stringify(raw.body)).to.equal(200);
    expect(raw.body.data).to.deep.equal([{ name: 'Grace' }]);
    const audits = await app.dataplane.knex
      .withSchema(await schemaName())
      .table('audit_logs')
      .where({ resource_id: body.id, action: 'connection.raw_query' });
    expect(audits).to.have.length(1);
  });

  it('a read-only connection refuses raw writes and nothing changes', async () => {
    const { body } = await call('POST', '/api/v1/connections', owner, {
      ...pgBody({ readOnly: true, allowRawQueries: true }),
      username: 'postgres',
      password: '',
    });
    const res = await call('POST', `/api/v1/connections/${body.id}/query`, owner, {
      sql: "INSERT INTO customers VALUES (9, 'Eve', NULL)",
    });
    expect(res.status).to.be.within(400, 499);
    const client = new pg.Client({ connectionString: external.url });
    await client.connect();
    expect((await client.query('SELECT count(*)::int AS n FROM customers')).rows[0].n).to.equal(3);
    await client.end();
  });

  it('MariaDB connections work the same way', async () => {
    const created = await call('POST', '/api/v1/connections', owner, {
      name: 'shop',
      type: 'mysql',
      uri: `mysql://root@127.0.0.1:3306/${mariaDb}`,
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const res = await call('POST', `/api/v1/connections/${created.body.id}/query`, editor, {
      table: 'products',
      filter: { field: 'price', op: 'isEmpty' },
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.data).to.deep.equal([{ id: 2, title: 'Birnen', price: null }]);
  });

  it('roles: viewers cannot see connections, editors cannot manage them', async () => {
    expect((await call('GET', '/api/v1/connections', viewer)).status).to.equal(403);
    expect((await call('POST', '/api/v1/connections', editor, pgBody())).status).to.equal(403);
    const list = await call('GET', '/api/v1/connections', editor);
    expect(list.status).to.equal(200);
    expect(list.body.data.length).to.be.greaterThan(0);
    expect(JSON.stringify(list.body)).to.not.include(PASSWORD);
  });

  it("another workspace's member gets 404 for its connections; so do unknown ids", async () => {
    const { body } = await call('POST', '/api/v1/connections', owner, pgBody());
    for (const path of [`/api/v1/connections/${body.id}`, `/api/v1/connections/${body.id}/schema`]) {
      expect((await app.request('GET', path, { token: outsider.accessToken })).status).to.equal(404);
    }
    expect(
      (
        await app.request('POST', `/api/v1/connections/${body.id}/query`, {
          token: outsider.accessToken,
          body: { table: 'orders' },
        })
      ).status,
    ).to.equal(404);
    expect(
      (await call('GET', '/api/v1/connections/01a2133e-4383-7181-a326-1076226e0330', owner)).status,
    ).to.equal(404);
    expect((await call('GET', '/api/v1/connections/not-a-uuid', owner)).status).to.equal(404);
    expect(
      (
        await app.request('GET', '/api/v1/connections', {
          token: outsider.accessToken,
          headers: { 'x-workspace-id': workspaceId },
        })
      ).status,
    ).to.equal(404);
  });

  it('updates and deletes; a deleted connection is gone everywhere', async () => {
    const { body } = await call('POST', '/api/v1/connections', owner, pgBody());
    const renamed = await call('PUT', `/api/v1/connections/${body.id}`, owner, {
      name: 'renamed-conn',
      options: { rowCap: 5 },
    });
    expect(renamed.status).to.equal(200);
    expect(renamed.body).to.deep.include({ name: 'renamed-conn', options: { rowCap: 5 } });
    expect((await call('DELETE', `/api/v1/connections/${body.id}`, owner)).status).to.equal(204);
    expect((await call('GET', `/api/v1/connections/${body.id}`, owner)).status).to.equal(404);
    expect(await app.dataplane.knex('resource_directory').where({ id: body.id })).to.have.length(0);
  });

  it('key rotation re-encrypts stored credentials under a new data key, audited; they still work', async () => {
    const { body } = await call('POST', '/api/v1/connections', owner, pgBody());
    const schema = await schemaName();
    const table = () => app.dataplane.knex.withSchema(schema).table('connections');
    const before = (await table().where({ id: body.id }).first()).secret as string;
    const editorTry = await call('POST', `/api/v1/workspaces/${workspaceId}/keys/rotate`, editor, {
      reencrypt: true,
    });
    expect(editorTry.status).to.equal(403);
    const rotated = await call('POST', `/api/v1/workspaces/${workspaceId}/keys/rotate`, owner, {
      reencrypt: true,
    });
    expect(rotated.status, JSON.stringify(rotated.body)).to.equal(200);
    expect(rotated.body.version).to.equal(Number(before.split('.')[1]) + 1);
    expect(rotated.body.reencrypted).to.be.greaterThan(0);
    const after = (await table().where({ id: body.id }).first()).secret as string;
    expect(after.split('.')[1]).to.equal(String(rotated.body.version));
    expect(JSON.stringify(rotated.body)).to.not.include(PASSWORD);
    expect((await call('POST', `/api/v1/connections/${body.id}/test`, owner)).body.ok).to.equal(true);
    const audits = await app.dataplane.knex
      .withSchema(await schemaName())
      .table('audit_logs')
      .where({ action: 'keys.rotate' });
    expect(audits).to.have.length(1);
  });

  it('a credential copied onto another connection row does not decrypt there', async () => {
    const a = (await call('POST', '/api/v1/connections', owner, pgBody())).body;
    const b = (await call('POST', '/api/v1/connections', owner, pgBody({ password: 'other' }))).body;
    const schema = await schemaName();
    const table = () => app.dataplane.knex.withSchema(schema).table('connections');
    const secretOfA = (await table().where({ id: a.id }).first()).secret;
    await table().where({ id: b.id }).update({ secret: secretOfA });
    const res = await call('POST', `/api/v1/connections/${b.id}/test`, owner);
    expect(res.body.code).to.equal('credential_undecryptable');
    expect(JSON.stringify(res.body)).to.not.include(PASSWORD);
  });

  it('duplicate names answer 409; bad input 422 and nothing is stored', async () => {
    await call('POST', '/api/v1/connections', owner, pgBody({ name: 'twice' }));
    const again = await call('POST', '/api/v1/connections', owner, pgBody({ name: 'twice' }));
    expect(again.status).to.equal(409);
    const before = await app.dataplane.knex
      .withSchema(await schemaName())
      .table('connections')
      .count<{ count: number }[]>('* as count');
    for (const bad of [
      { name: 'x', type: 'oracle', host: 'db', database: 'd' },
      { name: 'x', type: 'postgres' },
      { name: 'x', type: 'postgres', uri: 'postgres://h/db?options=-c%20log_statement%3Dall' },
      { name: 'x', type: 'postgres', host: '/var/run/postgresql', database: 'd' },
    ]) {
      const res = await call('POST', '/api/v1/connections', owner, bad);
      expect(res.status, JSON.stringify(bad)).to.be.within(400, 499);
    }
    const after = await app.dataplane.knex
      .withSchema(await schemaName())
      .table('connections')
      .count<{ count: number }[]>('* as count');
    expect(after).to.deep.equal(before);
  });
});

describe('connections API: SSRF guard', () => {
  let app: TestApp;
  let owner: User;
  let workspaceId: string;
  before(async () => {
    app = await startTestApp();
    owner = await registerUser(app, 'owner');
    workspaceId = (
      await app.request('POST', '/api/v1/workspaces', { token: owner.accessToken, body: { name: 'Guarded' } })
    ).body.id;
  });
  after(() => app.stop());

  for (const host of ['127.0.0.1', 'localhost', '169.254.169.254', '::ffff:127.0.0.1', '0.0.0.0']) {
    it(`refuses ${host} without an allow list (422 host_not_allowed), storing nothing`, async () => {
      const res = await app.request('POST', '/api/v1/connections', {
        token: owner.accessToken,
        headers: { 'x-workspace-id': workspaceId },
        body: { name: `to-${host}`, type: 'postgres', host, port: 5432, database: 'postgres' },
      });
      expect(res.status).to.equal(422);
      expect(res.body.code).to.equal('host_not_allowed');
      expect(await app.dataplane.knex('resource_directory')).to.have.length(0);
    });
  }
});
