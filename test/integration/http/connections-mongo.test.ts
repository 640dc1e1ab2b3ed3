import { expect } from 'chai';
import { MongoClient } from 'mongodb';
import {
  freshDatabaseName,
  parseMongoUrl,
  startMongoTarget,
  type MongoTarget,
} from '../mongo/mongo-target.js';
import { registerUser, startTestApp, type TestApp } from '../../support/test-app.js';

/** A MongoDB connection through the HTTP API: the fixture server, or MONGO_URL when set. */
describe('connections API: MongoDB', () => {
  let target: MongoTarget;
  let app: TestApp;
  let token: string;
  let workspaceId: string;
  let connectionId: string;
  const database = freshDatabaseName('lt_conn');

  before(async () => {
    target = await startMongoTarget();
    const client = new MongoClient(target.url);
    await client.connect();
    await client
      .db(database)
      .collection('people')
      .insertMany([
        { _id: 1 as never, name: 'Ada', age: 36, address: { city: 'London' }, tags: ['math'] },
        { _id: 2 as never, name: 'Grace', age: 85, address: { city: 'New York' } },
        { _id: 3 as never, name: 'Linus', age: null, address: { city: 'Helsinki' } },
        { _id: 4 as never, name: 'Zoë', age: 20 },
      ]);
    await client.close();
    const { host, port, username, password } = parseMongoUrl(target.url);
    app = await startTestApp({ LT_CONNECTION_ALLOW: `127.0.0.0/8,${host}` });
    const owner = await registerUser(app, 'owner');
    token = owner.accessToken;
    workspaceId = (await app.request('POST', '/api/v1/workspaces', { token, body: { name: 'Docs' } })).body
      .id;
    const created = await call('POST', '/api/v1/connections', {
      name: 'people-db',
      type: 'mongodb',
      host,
      port,
      database,
      ...(username ? { username, password } : {}),
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    connectionId = created.body.id;
  });

  after(async () => {
    await app.stop();
    const client = new MongoClient(target.url);
    await client.connect();
    await client.db(database).dropDatabase();
    await client.close();
    await target.stop();
  });

  const call = (method: string, path: string, body?: unknown) =>
    app.request(method, path, {
      token,
      headers: { 'x-workspace-id': workspaceId },
      ...(body === undefined ? {} : { body }),
    });

  it('tests the connection and discovers collections with their field paths', async () => {
    const tested = await call('POST', `/api/v1/connections/${connectionId}/test`);
    expect(tested.body.ok, JSON.stringify(tested.body)).to.equal(true);
    const schema = await call('GET', `/api/v1/connections/${connectionId}/schema`);
    expect(schema.status).to.equal(200);
    const people = schema.body.tables.find((t: { name: string }) => t.name === 'people');
    expect(people.kind).to.equal('collection');
    expect(people.primaryKey).to.deep.equal(['_id']);
    expect(people.columns.map((c: { name: string }) => c.name)).to.include.members([
      'name',
      'age',
      'address.city',
    ]);
  });

  it('queries with filters on nested paths, sorts and keyset pages', async () => {
    const first = await call('POST', `/api/v1/connections/${connectionId}/query`, {
      table: 'people',
      select: ['name', 'address.city'],
      filter: { field: 'address.city', op: 'isNotEmpty' },
      sort: [{ field: 'name', direction: 'asc' }],
      limit: 2,
    });
    expect(first.status, JSON.stringify(first.body)).to.equal(200);
    expect(first.body.data.map((r: { name: string }) => r.name)).to.deep.equal(['Ada', 'Grace']);
    const second = await call('POST', `/api/v1/connections/${connectionId}/query`, {
      table: 'people',
      select: ['name', 'address.city'],
      filter: { field: 'address.city', op: 'isNotEmpty' },
      sort: [{ field: 'name', direction: 'asc' }],
      limit: 2,
      cursor: first.body.nextCursor,
    });
    expect(second.body.data).to.deep.equal([{ name: 'Linus', 'address.city': 'Helsinki' }]);
    expect(second.body.nextCursor).to.equal(null);
  });

  it('operator-looking values stay values, and unknown fields answer 422', async () => {
    const injected = await call('POST', `/api/v1/connections/${connectionId}/query`, {
      table: 'people',
      filter: { field: 'name', op: 'eq', value: { $gt: '' } },
    });
    expect(injected.status).to.equal(422);
    const unknown = await call('POST', `/api/v1/connections/${connectionId}/query`, {
      table: 'people',
      filter: { field: '$where', op: 'eq', value: 1 },
    });
    expect(unknown.status).to.equal(422);
  });

  it('computed columns come back, with explain saying where they ran', async () => {
    const res = await call('POST', `/api/v1/connections/${connectionId}/query`, {
      table: 'people',
      select: ['name', 'nextAge', 'shout'],
      computedColumns: [
        { name: 'nextAge', formula: '{age} + 1' },
        { name: 'shout', formula: 'UPPER({name})' },
      ],
      filter: { field: 'name', op: 'eq', value: 'Zoë' },
      explain: true,
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.data).to.deep.equal([{ name: 'Zoë', nextAge: 21, shout: 'ZOË' }]);
    expect(res.body.explain.target).to.equal('mongodb');
    expect(res.body.explain.inProcess.join(' ')).to.include('shout');
  });
});
