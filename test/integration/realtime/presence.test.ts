import { expect } from 'chai';
import { REDIS_URL } from '../../support/databases.js';
import { LiveClient } from '../../support/live-client.js';
import { TEST_APP_JWT_SECRET, TEST_APP_MASTER_KEY, type TestApp } from '../../support/test-app.js';
import { DataplaneProcess, externalDbEnv } from '../process/harness.js';
import { startMiniDb, type MiniDb, type TableBody, type User } from '../minidb/minidb-fixture.js';

const ROW = '00000000-0000-4000-8000-000000000001';
const COLUMN = '00000000-0000-4000-8000-000000000002';

describe('realtime presence', () => {
  let db: MiniDb;
  let table: TableBody;
  const clients: LiveClient[] = [];
  const connect = async (user: User, app: TestApp = db.app) => {
    const c = new LiveClient(app.url, db.workspaceId, user.accessToken);
    clients.push(c);
    await c.connected();
    return c;
  };

  before(async () => {
    // Short idle and away times, so the test sees both without waiting minutes.
    db = await startMiniDb('owner', { LT_PRESENCE_IDLE_SECONDS: '1', LT_PRESENCE_AWAY_SECONDS: '2' });
    table = await db.as(db.owner).table({ name: 'Together', columns: [{ name: 'Title', type: 'text' }] });
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  after(() => db.stop());

  it('lists who is there on join, shares cursors and typing, and says when someone leaves', async () => {
    const grace = await db.member('grace', 'editor');
    const ada = await connect(db.owner);
    const first = await ada.subscribe(`presence:${table.id}`);
    expect(first.presence.map((m: { userId: string }) => m.userId)).to.deep.equal([db.owner.id]);

    const other = await connect(grace);
    const joined = await other.subscribe(`presence:${table.id}`);
    expect(joined.presence.map((m: { userId: string }) => m.userId)).to.deep.equal([db.owner.id, grace.id]);
    const [join] = await ada.waitFor('user:join', 1);
    expect(join).to.deep.include({ resourceId: table.id });
    expect(join.member).to.include({ userId: grace.id, socketId: other.socket.id, status: 'active' });

    const moved = await other.send('user:cursor', { resourceId: table.id, rowId: ROW, columnId: COLUMN });
    expect(moved.ok).to.equal(true);
    const [cursor] = await ada.waitFor('user:cursor', 1);
    expect(cursor.member).to.deep.include({ userId: grace.id, cursor: { rowId: ROW, columnId: COLUMN } });

    await other.send('user:typing', { resourceId: table.id, rowId: ROW, columnId: COLUMN, typing: true });
    const [typing] = await ada.waitFor('user:typing', 1);
    expect(typing.member.typing).to.deep.equal({ rowId: ROW, columnId: COLUMN });
    expect(other.events('user:cursor')).to.have.length(0); // nobody hears their own

    other.close();
    const [left] = await ada.waitFor('user:leave', 1);
    expect(left).to.deep.equal({
      resourceId: table.id,
      socketId: joined.presence[1].socketId,
      userId: grace.id,
    });
    const again = await connect(db.owner);
    const now = await again.subscribe(`presence:${table.id}`);
    expect(now.presence.map((m: { userId: string }) => m.userId)).to.deep.equal([db.owner.id, db.owner.id]);
  });

  it('refuses presence updates on a resource the socket has not joined', async () => {
    const ada = await connect(db.owner);
    const refused = await ada.send('user:cursor', { resourceId: table.id, rowId: ROW });
    expect(refused.ok).to.equal(false);
    expect(refused.error).to.include({ status: 400, code: 'not_present' });
  });

  it('shows a user idle, then away, after inactivity, and active again on activity', async () => {
    const ada = await connect(db.owner);
    const watcher = await connect(await db.member('watcher', 'viewer'));
    await ada.subscribe(`presence:${table.id}`);
    await watcher.subscribe(`presence:${table.id}`);
    const owners = () =>
      watcher
        .events('user:idle')
        .filter((e: { member: { userId: string } }) => e.member.userId === db.owner.id)
        .map((e: { member: { status: string } }) => e.member.status);
    const until = async (count: number) => {
      while (owners().length < count)
        await watcher.waitFor('user:idle', watcher.events('user:idle').length + 1, 10_000);
      return owners();
    };
    expect(await until(2)).to.deep.equal(['idle', 'away']);
    expect((await ada.send('user:active', {})).ok).to.equal(true);
    expect(await until(3)).to.deep.equal(['idle', 'away', 'active']);
  });
});

describe('realtime presence across replicas', () => {
  let db: MiniDb;
  let doomed: DataplaneProcess;
  let doomedUrl: string;
  let table: TableBody;
  const clients: LiveClient[] = [];

  before(async function () {
    this.timeout(60_000); // a process of its own loads the dataplane first
    db = await startMiniDb('owner', { REDIS_URL });
    // A second replica as its own process, so that it can be killed for real.
    doomed = new DataplaneProcess(
      externalDbEnv(db.app.databaseUrl, {
        REDIS_URL,
        JWT_SECRET: TEST_APP_JWT_SECRET,
        LT_MASTER_KEY: TEST_APP_MASTER_KEY,
      }),
    );
    doomedUrl = await doomed.url();
    table = await db.as(db.owner).table({ name: 'Replicated', columns: [] });
  });
  after(async () => {
    for (const c of clients.splice(0)) c.close();
    await doomed.dispose();
    await db.stop();
  });

  it('shows members of every replica, and removes those of a replica that dies', async () => {
    const here = new LiveClient(db.app.url, db.workspaceId, db.owner.accessToken);
    const there = new LiveClient(doomedUrl, db.workspaceId, db.owner.accessToken);
    clients.push(here, there);
    await Promise.all([here.connected(), there.connected()]);
    await here.subscribe(`presence:${table.id}`);
    const joined = await there.subscribe(`presence:${table.id}`);
    expect(joined.presence).to.have.length(2); // one member on each replica
    await here.waitFor('user:join', 1);

    // The replica dies without a word: no disconnects, no leaves; its heartbeat stops.
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    const [left] = await here.waitFor('user:leave', 1, 30_000);
    expect(left).to.include({ resourceId: table.id, socketId: joined.presence[1].socketId });
    const late = new LiveClient(db.app.url, db.workspaceId, db.owner.accessToken);
    clients.push(late);
    await late.connected();
    const now = await late.subscribe(`presence:${table.id}`);
    expect(now.presence.map((m: { socketId: string }) => m.socketId)).to.not.include(
      joined.presence[1].socketId,
    );
  });
});
