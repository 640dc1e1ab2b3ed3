import { expect } from 'chai';
import { REDIS_URL } from '../../support/databases.js';
import { LiveClient } from '../../support/live-client.js';
import { PrivateRedis } from '../../support/private-redis.js';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import { startMiniDb, type MiniDb, type TableBody } from '../minidb/minidb-fixture.js';

interface Received {
  op: string;
  seq: number;
  epoch: string;
  rows: { id: string; version: number }[];
}

/** Every (row, version) a client received, in arrival order. */
const rowVersions = (client: LiveClient) =>
  (client.events('data:update') as Received[]).flatMap((u) => u.rows.map((r) => `${r.id}@${r.version}`));

describe('realtime across two replicas sharing Redis (Redis Streams adapter)', () => {
  let db: MiniDb;
  let second: TestApp;
  let table: TableBody;
  const clients: LiveClient[] = [];
  const connect = async (app: TestApp, options: { recover?: boolean } = {}) => {
    const c = new LiveClient(app.url, db.workspaceId, () => db.owner.accessToken, options);
    clients.push(c);
    await c.connected();
    await c.subscribe(`table:${table.id}`);
    return c;
  };
  const rowsPath = () => `/api/v1/tables/${table.id}/rows`;
  const via = (app: TestApp) => ({
    create: async (title: string) => {
      const res = await app.request('POST', rowsPath(), {
        token: db.owner.accessToken,
        body: { fields: { Title: title } },
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      return res.body as { id: string; version: number };
    },
    patch: async (id: string, title: string, version: number) => {
      const res = await app.request('PATCH', `${rowsPath()}/${id}`, {
        token: db.owner.accessToken,
        body: { fields: { Title: title }, version },
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      return res.body as { id: string; version: number };
    },
  });

  before(async () => {
    db = await startMiniDb('owner', { REDIS_URL });
    second = await startTestApp({ REDIS_URL, DATABASE_URL: db.app.databaseUrl });
    table = await db.as(db.owner).table({ name: 'Shared', columns: [{ name: 'Title', type: 'text' }] });
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  after(async () => {
    await second.stop();
    await db.stop();
  });

  it('delivers every committed change to each subscribed client exactly once, in order per row', async () => {
    const apps = [db.app, second];
    const watchers = [await connect(db.app), await connect(second), await connect(second)];
    const expected: string[] = [];
    const rows: { id: string; version: number }[] = [];
    for (let i = 0; i < 6; i++) {
      const row = await via(apps[i % 2] as TestApp).create(`row ${i}`);
      rows.push(row);
      expected.push(`${row.id}@1`);
    }
    for (let round = 0; round < 3; round++)
      for (const [i, row] of rows.entries()) {
        const next = await via(apps[(i + round + 1) % 2] as TestApp).patch(row.id, `r${round}`, row.version);
        row.version = next.version;
        expected.push(`${row.id}@${next.version}`);
      }
    for (const watcher of watchers) {
      await watcher.waitFor('data:update', 1);
      const deadline = Date.now() + 15_000;
      while (rowVersions(watcher).length < expected.length && Date.now() < deadline)
        await watcher.waitFor('data:update', watcher.events('data:update').length + 1).catch(() => undefined);
      const got = rowVersions(watcher);
      expect([...got].sort()).to.deep.equal([...expected].sort()); // each exactly once
      for (const row of rows) {
        const versions = got.filter((v) => v.startsWith(row.id)).map((v) => Number(v.split('@')[1]));
        expect(versions).to.deep.equal([1, 2, 3, 4]); // in order per row
      }
      const updates = watcher.events('data:update') as Received[];
      expect(new Set(updates.map((u) => u.epoch)).size).to.equal(1);
      expect(updates.map((u) => u.seq)).to.deep.equal(
        updates.map((_, i) => (updates[0] as Received).seq + i),
      );
    }
  });

  it('lets a client that reconnects within the recovery window receive what it missed', async () => {
    const watcher = await connect(db.app, { recover: true });
    const first = await via(second).create('before the drop');
    await watcher.waitFor('data:update', 1);
    const reconnected = new Promise<void>((resolve) => watcher.socket.once('connect', () => resolve()));
    // Cut the transport without a goodbye, as a network drop would.
    (watcher.socket.io.engine as unknown as { close(): void }).close();
    const missed = [
      await via(second).create('missed 1'),
      await via(db.app).patch(first.id, 'missed 2', first.version),
    ];
    await reconnected;
    expect(watcher.socket.recovered).to.equal(true);
    await watcher.waitFor('data:update', 3);
    const got = rowVersions(watcher);
    expect(got).to.deep.equal([`${first.id}@1`, `${missed[0]?.id}@1`, `${first.id}@2`]);
  });
});

describe('realtime when Redis restarts mid-stream', () => {
  let redis: PrivateRedis;
  let db: MiniDb;
  let second: TestApp;
  let table: TableBody;
  const clients: LiveClient[] = [];

  before(async () => {
    redis = await PrivateRedis.start();
    db = await startMiniDb('owner', { REDIS_URL: redis.url });
    second = await startTestApp({ REDIS_URL: redis.url, DATABASE_URL: db.app.databaseUrl });
    table = await db.as(db.owner).table({ name: 'Outage', columns: [{ name: 'Title', type: 'text' }] });
  });
  after(async () => {
    for (const c of clients.splice(0)) c.close();
    await second.stop();
    await db.stop();
    await redis.kill();
  });

  it('keeps serving: local delivery under a new epoch during the outage, a gap notice after, then shared again', async () => {
    const connect = async (app: TestApp) => {
      const c = new LiveClient(app.url, db.workspaceId, db.owner.accessToken, { recover: true });
      clients.push(c);
      await c.connected();
      await c.subscribe(`table:${table.id}`);
      return c;
    };
    const write = async (app: TestApp, title: string) => {
      const res = await app.request('POST', `/api/v1/tables/${table.id}/rows`, {
        token: db.owner.accessToken,
        body: { fields: { Title: title } },
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
    };
    const [here, there] = [await connect(db.app), await connect(second)];
    await write(db.app, 'before');
    const [before] = await here.waitFor('data:update', 1);
    await there.waitFor('data:update', 1);

    await redis.kill();
    await write(db.app, 'during'); // acknowledged: the change is committed whatever Redis does
    const during = (await here.waitFor('data:update', 2))[1];
    expect(during.rows[0].fields.Title).to.equal('during');
    expect(during.epoch).to.not.equal(before.epoch); // the client knows to resynchronise

    await redis.restart();
    await there.waitFor('sync:gap', 1, 30_000);
    // Both replicas' clients hear changes again once the adapter is back.
    for (let i = 0; ; i++) {
      await write(second, `after ${i}`);
      const heard = (c: LiveClient) =>
        c
          .events('data:update')
          .some((u: { rows: { fields: { Title: string } }[] }) =>
            u.rows.some((r) => r.fields.Title === `after ${i}`),
          );
      await new Promise((resolve) => setTimeout(resolve, 200));
      if (heard(here) && heard(there)) break;
      if (i > 50) expect.fail('changes did not reach both replicas after Redis came back');
    }
    for (const app of [db.app, second]) expect((await app.request('GET', '/healthz')).status).to.equal(200);
  });
});
