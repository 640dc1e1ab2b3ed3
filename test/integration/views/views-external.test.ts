import { expect } from 'chai';
import { MongoClient } from 'mongodb';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { createTestDatabase } from '../../support/databases.js';
import { eventually } from '../../support/eventually.js';
import { registerUser, startTestApp, type TestApp } from '../../support/test-app.js';
import {
  freshDatabaseName,
  parseMongoUrl,
  startMongoTarget,
  type MongoTarget,
} from '../mongo/mongo-target.js';
import type { User } from '../minidb/minidb-fixture.js';
import { fieldsOf, viewCaller, type ViewCaller } from './views-fixture.js';

/** Views over external PostgreSQL, MariaDB and MongoDB sources: each runs in its own engine. */
describe('views over external connections', () => {
  let app: TestApp;
  let external: { url: string; drop: () => Promise<void> };
  let pgClient: pg.Client;
  let mongo: MongoTarget;
  const mariaDb = `lt_views_${process.pid}_${Date.now().toString(36)}`;
  const mongoDb = freshDatabaseName('lt_views');
  let owner: ViewCaller;
  let viewer: ViewCaller;
  let viewerUser: User;
  let workspaceId: string;
  const connection: Record<'pg' | 'maria' | 'mongo', string> = { pg: '', maria: '', mongo: '' };

  before(async () => {
    external = await createTestDatabase();
    pgClient = new pg.Client({ connectionString: external.url });
    await pgClient.connect();
    await pgClient.query(`
      CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, country text);
      CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers(id), amount numeric(10,2),
                           status text, secret text);
      INSERT INTO customers VALUES (1, 'Ada', 'UK'), (2, 'Grace', 'US'), (3, 'Linus', 'FI');
      INSERT INTO orders VALUES (10, 1, 25.50, 'paid', 's10'), (11, 1, 4.50, 'open', 's11'),
        (12, 3, 100.00, 'paid', 's12'), (13, 2, 60.00, 'open', 's13');
    `);
    const maria = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '' });
    await maria.query(`CREATE DATABASE ${mariaDb}`);
    await maria.query(
      `CREATE TABLE ${mariaDb}.products (id int PRIMARY KEY, title varchar(100), price decimal(10,2), kind varchar(20))`,
    );
    await maria.query(`CREATE TABLE ${mariaDb}.kinds (code varchar(20) PRIMARY KEY, label varchar(100))`);
    await maria.query(
      `INSERT INTO ${mariaDb}.products VALUES (1, 'Äpfel', 2.50, 'fruit'), (2, 'Birnen', 3.00, 'fruit'), (3, 'Brot', 4.20, 'bread')`,
    );
    await maria.query(`INSERT INTO ${mariaDb}.kinds VALUES ('fruit', 'Obst'), ('bread', 'Backwaren')`);
    await maria.end();
    mongo = await startMongoTarget();
    const client = new MongoClient(mongo.url);
    await client.connect();
    await client
      .db(mongoDb)
      .collection('people')
      .insertMany([
        { _id: 1 as never, name: 'Ada', age: 36, city: 'London' },
        { _id: 2 as never, name: 'Grace', age: 85, city: 'New York' },
        { _id: 3 as never, name: 'Linus', age: 54, city: 'Helsinki' },
        { _id: 4 as never, name: 'Margaret', age: 36, city: 'Boston' },
      ]);
    await client.close();

    const { host, port } = parseMongoUrl(mongo.url);
    app = await startTestApp({ LT_CONNECTION_ALLOW: `127.0.0.0/8,${host}` });
    const ownerUser = await registerUser(app, 'ext-owner');
    viewerUser = await registerUser(app, 'ext-viewer');
    workspaceId = (
      await app.request('POST', '/api/v1/workspaces', {
        token: ownerUser.accessToken,
        body: { name: 'External' },
      })
    ).body.id;
    await app.dataplane
      .knex('workspace_members')
      .insert({ workspace_id: workspaceId, user_id: viewerUser.id, role: 'viewer' });
    owner = viewCaller(app, ownerUser, workspaceId);
    viewer = viewCaller(app, viewerUser, workspaceId);
    const created = async (body: Record<string, unknown>) => {
      const res = await owner.post('/api/v1/connections', body);
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      return res.body.id as string;
    };
    connection.pg = await created({ name: 'shop-pg', type: 'postgres', uri: external.url });
    connection.maria = await created({
      name: 'shop-maria',
      type: 'mysql',
      uri: `mysql://root@127.0.0.1:3306/${mariaDb}`,
    });
    connection.mongo = await created({
      name: 'people-mongo',
      type: 'mongodb',
      host,
      port,
      database: mongoDb,
    });
  });

  after(async () => {
    await app.stop();
    await pgClient.end();
    await external.drop();
    const maria = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '' });
    await maria.query(`DROP DATABASE IF EXISTS ${mariaDb}`);
    await maria.end();
    const client = new MongoClient(mongo.url);
    await client.connect();
    await client.db(mongoDb).dropDatabase();
    await client.close();
    await mongo.stop();
  });

  describe('PostgreSQL', () => {
    it('joins within the connection, computes, filters, sorts and groups in PostgreSQL; viewers read it', async () => {
      const view = await owner.view({
        name: 'Orders with customers',
        source: { connectionId: connection.pg, table: 'orders' },
        joins: [{ table: 'customers', as: 'c', on: { left: 'customer_id', right: 'id' } }],
        computedColumns: [{ name: 'gross', formula: 'ROUND({amount} * 1.2, 2)' }],
        filter: { field: 'amount', op: 'gt', value: 5 },
        sort: [{ field: 'amount', direction: 'desc' }],
        visibleColumns: ['id', 'c.name', 'status', 'amount', 'gross'],
        groupBy: { fields: ['status'], aggregates: [{ fn: 'sum', field: 'amount', as: 'total' }] },
      });
      expect(view.status).to.equal('ok');
      const page = await viewer.data(view.id);
      expect(page.status, JSON.stringify(page.body)).to.equal(200);
      expect(fieldsOf(page.body.data)).to.deep.equal([
        { id: 13, 'c.name': 'Grace', status: 'open', amount: 60, gross: 72 },
        { id: 12, 'c.name': 'Linus', status: 'paid', amount: 100, gross: 120 },
        { id: 10, 'c.name': 'Ada', status: 'paid', amount: 25.5, gross: 30.6 },
      ]);
      expect(page.body.groups).to.deep.equal([
        { key: { status: 'open' }, count: 1, aggregates: { total: 60 } },
        { key: { status: 'paid' }, count: 2, aggregates: { total: 125.5 } },
      ]);
      // The viewer reads external data through the view only.
      expect((await viewer.get(`/api/v1/connections/${connection.pg}`)).status).to.equal(403);
      const adHoc = await viewer.data(view.id, { filter: { field: 'c.name', op: 'startsWith', value: 'L' } });
      expect(fieldsOf(adHoc.body.data).map((f) => f.id)).to.deep.equal([12]);
    });

    it('caches pages for the view’s TTL, and a refresh reads the source again', async () => {
      const view = await owner.view({
        name: 'Customers',
        source: { connectionId: connection.pg, table: 'customers' },
        sort: [{ field: 'id' }],
        visibleColumns: ['id', 'name'],
        cacheTtlSeconds: 600,
      });
      expect(fieldsOf((await owner.data(view.id)).body.data)[0]).to.deep.equal({ id: 1, name: 'Ada' });
      await pgClient.query("UPDATE customers SET name = 'Ada L.' WHERE id = 1");
      expect(fieldsOf((await owner.data(view.id)).body.data)[0], 'within the TTL').to.deep.equal({
        id: 1,
        name: 'Ada',
      });
      const refreshed = await owner.post(`/api/v1/views/${view.id}/refresh`);
      expect(refreshed.status).to.equal(200);
      expect(fieldsOf((await owner.data(view.id)).body.data)[0]).to.deep.equal({ id: 1, name: 'Ada L.' });
      const uncached = await owner.view({
        name: 'Customers, never cached',
        source: { connectionId: connection.pg, table: 'customers' },
        sort: [{ field: 'id' }],
        visibleColumns: ['name'],
        cacheTtlSeconds: 0,
      });
      await owner.data(uncached.id);
      await pgClient.query("UPDATE customers SET name = 'Ada' WHERE id = 1");
      expect(fieldsOf((await owner.data(uncached.id)).body.data)[0]).to.deep.equal({ name: 'Ada' });
    });

    it('is broken when a rediscovery no longer finds a column or the table, and again ok once they are back', async () => {
      await pgClient.query('CREATE TABLE notes (id int PRIMARY KEY, body text, extra text)');
      await pgClient.query("INSERT INTO notes VALUES (1, 'first', 'x')");
      await owner.post(`/api/v1/connections/${connection.pg}/schema/refresh`);
      const view = await owner.view({
        name: 'Notes',
        source: { connectionId: connection.pg, table: 'notes' },
        visibleColumns: ['id', 'extra'],
      });
      await pgClient.query('ALTER TABLE notes DROP COLUMN extra');
      expect((await owner.post(`/api/v1/connections/${connection.pg}/schema/refresh`)).status).to.equal(200);
      const broken = await owner.get(`/api/v1/views/${view.id}`);
      expect(broken.body.status).to.equal('broken');
      expect(broken.body.problems).to.deep.equal([
        { path: 'visibleColumns[1]', message: 'unknown field "extra"' },
      ]);
      const data = await owner.data(view.id);
      expect(data.status).to.equal(409);
      expect(data.body.code).to.equal('view_broken');
      await pgClient.query('DROP TABLE notes');
      await owner.post(`/api/v1/connections/${connection.pg}/schema/refresh`);
      expect((await owner.get(`/api/v1/views/${view.id}`)).body.problems).to.deep.equal([
        { path: 'source.table', message: 'the connection has no table "notes"' },
      ]);
      await pgClient.query(
        "CREATE TABLE notes (id int PRIMARY KEY, body text, extra text); INSERT INTO notes VALUES (2, 'back', 'y')",
      );
      await owner.post(`/api/v1/connections/${connection.pg}/schema/refresh`);
      expect((await owner.get(`/api/v1/views/${view.id}`)).body.status).to.equal('ok');
      expect(fieldsOf((await owner.data(view.id)).body.data)).to.deep.equal([{ id: 2, extra: 'y' }]);
    });

    it('is broken once its connection is removed', async () => {
      const spare = await owner.post('/api/v1/connections', {
        name: 'spare',
        type: 'postgres',
        uri: external.url,
      });
      const view = await owner.view({
        name: 'On spare',
        source: { connectionId: spare.body.id, table: 'customers' },
      });
      expect((await owner.delete(`/api/v1/connections/${spare.body.id}`)).status).to.equal(204);
      const shown = await owner.get(`/api/v1/views/${view.id}`);
      expect(shown.body.status).to.equal('broken');
      expect(shown.body.problems).to.deep.equal([
        { path: 'source.connectionId', message: 'the connection no longer exists' },
      ]);
      expect((await owner.data(view.id)).status).to.equal(409);
    });

    it('is of unknown status (503 for its data, never a 500) while its connection cannot be reached', async () => {
      const flaky = await owner.post('/api/v1/connections', {
        name: 'flaky',
        type: 'postgres',
        uri: external.url,
      });
      const view = await owner.view({
        name: 'Flaky',
        source: { connectionId: flaky.body.id, table: 'customers' },
      });
      const moved = await owner.put(`/api/v1/connections/${flaky.body.id}`, { port: 1 });
      expect(moved.status, JSON.stringify(moved.body)).to.equal(200);
      const shown = await owner.get(`/api/v1/views/${view.id}`);
      expect(shown.status).to.equal(200);
      expect(shown.body.status).to.equal('unknown');
      expect(shown.body.problems[0].path).to.equal('source.connectionId');
      const data = await owner.data(view.id);
      expect(data.status).to.equal(503);
      expect(data.body.code).to.equal('source_unavailable');
      await owner.delete(`/api/v1/views/${view.id}`);
      await owner.delete(`/api/v1/connections/${flaky.body.id}`);
    });

    it('materializes into PostgreSQL, serves from there with materializedAt, and refreshes on demand', async () => {
      const view = await owner.view({
        name: 'Paid orders, materialized',
        source: { connectionId: connection.pg, table: 'orders' },
        filter: { field: 'status', op: 'eq', value: 'paid' },
        sort: [{ field: 'amount', direction: 'desc' }],
        visibleColumns: ['id', 'amount', 'status'],
        groupBy: { fields: ['status'], aggregates: [{ fn: 'count', as: 'n' }] },
        materialize: { refreshSeconds: 3600 },
      });
      // The schedule's first turn is due at once.
      const first = await eventually(async () => {
        const page = await owner.data(view.id);
        expect(page.body.materializedAt).to.be.a('string');
        return page.body;
      });
      expect(fieldsOf(first.data)).to.deep.equal([
        { id: 12, amount: 100, status: 'paid' },
        { id: 10, amount: 25.5, status: 'paid' },
      ]);
      expect(first.groups).to.deep.equal([{ key: { status: 'paid' }, count: 2, aggregates: { n: 2 } }]);
      const schema = (await app.dataplane.knex('workspaces').where({ id: workspaceId }).first('schema_name'))
        .schema_name;
      const tables = await app.dataplane
        .knex('pg_tables')
        .withSchema('pg_catalog')
        .where({ schemaname: schema })
        .andWhere('tablename', 'like', 'mv\\_%');
      expect(tables).to.have.length(1);

      await pgClient.query("INSERT INTO orders VALUES (14, 2, 75.00, 'paid', 's14')");
      const stale = await owner.data(view.id, { sort: 'id' });
      expect(
        fieldsOf(stale.body.data).map((f) => f.id),
        'served from the materialization',
      ).to.deep.equal([10, 12]);
      // The runner without a caller (the public API) keeps the view it read: a new
      // materialization must make it read the view again.
      const publicIds = async () =>
        (await app.dataplane.viewRunner.runPublic(workspaceId, view.id, { limit: 10, sort: 'id' })).data.map(
          (r) => r.fields.id,
        );
      expect(await publicIds()).to.deep.equal([10, 12]);
      const refreshed = await owner.post(`/api/v1/views/${view.id}/refresh`);
      expect(refreshed.status, JSON.stringify(refreshed.body)).to.equal(200);
      expect(refreshed.body.materializedAt).to.be.a('string');
      const fresh = await owner.data(view.id, { filter: { field: 'amount', op: 'gte', value: 70 } });
      expect(fresh.body.materializedAt).to.equal(refreshed.body.materializedAt);
      expect(fieldsOf(fresh.body.data).map((f) => f.id)).to.deep.equal([12, 14]);
      expect(await publicIds()).to.deep.equal([10, 12, 14]);
      const after = await app.dataplane
        .knex('pg_tables')
        .withSchema('pg_catalog')
        .where({ schemaname: schema })
        .andWhere('tablename', 'like', 'mv\\_%');
      expect(after, 'the previous materialization is dropped').to.have.length(1);
      expect((await owner.delete(`/api/v1/views/${view.id}`)).status).to.equal(204);
      const gone = await app.dataplane
        .knex('pg_tables')
        .withSchema('pg_catalog')
        .where({ schemaname: schema })
        .andWhere('tablename', 'like', 'mv\\_%');
      expect(gone).to.have.length(0);
    });

    it('refreshes a materialization on its schedule', async function () {
      this.timeout(30_000);
      const view = await owner.view({
        name: 'Customers, every second',
        source: { connectionId: connection.pg, table: 'customers' },
        sort: [{ field: 'id' }],
        visibleColumns: ['id', 'name'],
        materialize: { refreshSeconds: 1 },
      });
      await eventually(async () => expect((await owner.data(view.id)).body.materializedAt).to.be.a('string'));
      await pgClient.query("INSERT INTO customers VALUES (4, 'Barbara', 'US')");
      const page = await eventually(async () => {
        const res = await owner.data(view.id);
        expect(fieldsOf(res.body.data).map((f) => f.name)).to.include('Barbara');
        return res.body;
      });
      expect(page.materializedAt).to.be.a('string');
      await owner.delete(`/api/v1/views/${view.id}`);
    });

    it('with two replicas, each due view is refreshed once per turn, by one of them', async function () {
      this.timeout(30_000);
      const { host } = parseMongoUrl(mongo.url);
      const second = await startTestApp({
        DATABASE_URL: app.databaseUrl,
        LT_CONNECTION_ALLOW: `127.0.0.0/8,${host}`,
      });
      const refreshed: string[] = [];
      const offs = [app, second].map((a) =>
        a.dataplane.bus.subscribe((e) => {
          if (e.type === 'view.refreshed') refreshed.push(String(e.payload.viewId));
        }),
      );
      try {
        const ids: string[] = [];
        for (let i = 0; i < 8; i++)
          ids.push(
            (
              await owner.view({
                name: `Hourly ${i}`,
                source: { connectionId: connection.pg, table: 'customers' },
                visibleColumns: ['id'],
                materialize: { refreshSeconds: 3600 },
              })
            ).id,
          );
        await eventually(async () => expect(refreshed.filter((id) => ids.includes(id))).to.have.length(8));
        await new Promise((resolve) => setTimeout(resolve, 2_500)); // both replicas tick again meanwhile
        expect(refreshed.filter((id) => ids.includes(id)).sort()).to.deep.equal([...ids].sort());
        for (const id of ids) await owner.delete(`/api/v1/views/${id}`);
      } finally {
        offs.forEach((off) => off());
        await second.stop();
      }
    });

    it('refuses to materialize a view over a mini-DB table', async () => {
      const base = await owner.post(`/api/v1/workspaces/${workspaceId}/bases`, { name: 'B' });
      const table = await owner.post(`/api/v1/bases/${base.body.id}/tables`, {
        name: 'T',
        columns: [{ name: 'X', type: 'text' }],
      });
      const res = await owner.post('/api/v1/views', {
        name: 'No',
        source: { tableId: table.body.id },
        materialize: { refreshSeconds: 60 },
      });
      expect(res.status).to.equal(422);
      expect(res.body.errors).to.deep.equal([
        { path: 'materialize', message: 'only views over external connections are materialized' },
      ]);
    });
  });

  describe('MariaDB', () => {
    it('runs the view in MariaDB: a join within the connection, a filter, a sort and groups', async () => {
      const view = await owner.view({
        name: 'Products',
        source: { connectionId: connection.maria, table: 'products' },
        joins: [{ table: 'kinds', as: 'k', on: { left: 'kind', right: 'code' } }],
        computedColumns: [{ name: 'label', formula: "CONCAT({title}, ' (', {k.label}, ')')" }],
        sort: [{ field: 'price', direction: 'desc' }],
        visibleColumns: ['label', 'price', 'kind'],
        groupBy: { fields: ['kind'], aggregates: [{ fn: 'avg', field: 'price', as: 'avgPrice' }] },
      });
      const page = await viewer.data(view.id);
      expect(page.status, JSON.stringify(page.body)).to.equal(200);
      expect(fieldsOf(page.body.data)).to.deep.equal([
        { label: 'Brot (Backwaren)', price: 4.2, kind: 'bread' },
        { label: 'Birnen (Obst)', price: 3, kind: 'fruit' },
        { label: 'Äpfel (Obst)', price: 2.5, kind: 'fruit' },
      ]);
      expect(page.body.groups).to.deep.equal([
        { key: { kind: 'bread' }, count: 1, aggregates: { avgPrice: 4.2 } },
        { key: { kind: 'fruit' }, count: 2, aggregates: { avgPrice: 2.75 } },
      ]);
      // Group fields lead the order (groups stay together), then the extra sort, then the view's.
      const paged = await owner.allRows(view.id, { limit: 1, sort: 'label' });
      expect(paged.map((r) => r.fields.label)).to.deep.equal([
        'Brot (Backwaren)',
        'Birnen (Obst)',
        'Äpfel (Obst)',
      ]);
    });
  });

  describe('MongoDB', () => {
    it('runs the view as a pipeline: filter, sort, formula, groups and keyset pages', async () => {
      const view = await owner.view({
        name: 'People',
        source: { connectionId: connection.mongo, table: 'people' },
        filter: { field: 'age', op: 'lt', value: 80 },
        sort: [{ field: 'age' }, { field: 'name' }],
        computedColumns: [{ name: 'shout', formula: 'UPPER({name})' }],
        visibleColumns: ['name', 'age', 'shout'],
        groupBy: { fields: ['age'], aggregates: [{ fn: 'count', as: 'n' }] },
      });
      expect(view.status, JSON.stringify(view)).to.equal('ok');
      const page = await viewer.data(view.id, { limit: 2 });
      expect(page.status, JSON.stringify(page.body)).to.equal(200);
      expect(fieldsOf(page.body.data)).to.deep.equal([
        { name: 'Ada', age: 36, shout: 'ADA' },
        { name: 'Margaret', age: 36, shout: 'MARGARET' },
      ]);
      expect(page.body.groups).to.deep.equal([{ key: { age: 36 }, count: 2, aggregates: { n: 2 } }]);
      const next = await viewer.data(view.id, { limit: 2, cursor: page.body.nextCursor });
      expect(fieldsOf(next.body.data)).to.deep.equal([{ name: 'Linus', age: 54, shout: 'LINUS' }]);
      expect(next.body.nextCursor).to.equal(null);
    });
  });
});
