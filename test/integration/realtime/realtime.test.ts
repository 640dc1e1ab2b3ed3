import { expect } from 'chai';
import { LiveClient } from '../../support/live-client.js';
import { registerUser } from '../../support/test-app.js';
import { startMiniDb, type MiniDb, type TableBody, type User } from '../minidb/minidb-fixture.js';

describe('realtime: socket.io on the dataplane (one process, in-process adapter)', () => {
  let db: MiniDb;
  let table: TableBody;
  let rowsPath: string;
  const clients: LiveClient[] = [];
  const client = async (user: User, workspaceId = db.workspaceId) => {
    const c = new LiveClient(db.app.url, workspaceId, user.accessToken);
    clients.push(c);
    await c.connected();
    return c;
  };

  before(async () => {
    db = await startMiniDb();
    table = await db.as(db.owner).table({
      name: 'Tasks',
      columns: [
        { name: 'Title', type: 'text' },
        { name: 'Done', type: 'boolean' },
      ],
    });
    rowsPath = `/api/v1/tables/${table.id}/rows`;
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  after(() => db.stop());

  describe('handshake', () => {
    const refusal = async (token: string, workspaceId = db.workspaceId) => {
      const c = new LiveClient(db.app.url, workspaceId, token);
      clients.push(c);
      const error = await c.connected().then(
        () => expect.fail('the handshake should have been refused'),
        (e: { problem: { status: number; code: string } }) => e,
      );
      return error.problem;
    };

    it('refuses a missing, a forged and a revoked token, and a workspace the user is not in', async () => {
      expect(await refusal('')).to.include({ status: 401 });
      expect(await refusal('not.a.jwt')).to.include({ status: 401 });
      const stranger = await registerUser(db.app, 'stranger');
      expect(await refusal(stranger.accessToken)).to.include({ status: 404 });
      const leaving = await db.member('leaving', 'viewer');
      const logout = await db.app.request('POST', '/api/v1/auth/logout', {
        token: leaving.accessToken,
        body: { refreshToken: leaving.refreshToken },
      });
      expect(logout.status).to.be.within(200, 204);
      expect(await refusal(leaving.accessToken)).to.include({ status: 401, code: 'token_revoked' });
    });

    it('ends a connected socket at once when its session is logged out, or its user leaves the workspace', async () => {
      const leaving = await db.member('leaving-live', 'editor');
      const removed = await db.member('removed-live', 'viewer');
      const [a, b] = [await client(leaving), await client(removed)];
      const closed = (c: LiveClient) =>
        new Promise<void>((resolve) => c.socket.once('disconnect', () => resolve()));
      const [aClosed, bClosed] = [closed(a), closed(b)];
      const logout = await db.app.request('POST', '/api/v1/auth/logout', {
        token: leaving.accessToken,
        body: { refreshToken: leaving.refreshToken },
      });
      expect(logout.status).to.be.within(200, 204);
      await aClosed;
      expect(a.events('auth:expired')).to.have.length(1);
      const removal = await db
        .as(db.owner)
        .delete(`/api/v1/workspaces/${db.workspaceId}/members/${removed.id}`);
      expect(removal.status, JSON.stringify(removal.body)).to.be.within(200, 204);
      await bClosed;
      expect(b.events('auth:expired')).to.have.length(1);
    });

    it('admits a member and acknowledges a fresh token of the same user, refusing another user’s', async () => {
      const c = await client(db.owner);
      const refresh = await db.app.request('POST', '/api/v1/auth/refresh', {
        body: { refreshToken: db.owner.refreshToken },
      });
      expect(refresh.status).to.equal(200);
      db.owner.accessToken = refresh.body.accessToken;
      db.owner.refreshToken = refresh.body.refreshToken;
      const ok = await c.send('auth:refresh', { token: refresh.body.accessToken });
      expect(ok.ok).to.equal(true);
      expect(Date.parse(ok.expiresAt)).to.be.greaterThan(Date.now());
      const other = await db.member('other', 'viewer');
      const refused = await c.send('auth:refresh', { token: other.accessToken });
      expect(refused).to.deep.include({ ok: false });
      expect(refused.error).to.include({ status: 401, code: 'token_user_mismatch' });
    });
  });

  describe('rooms', () => {
    it('sends committed row changes to a table room, numbered, with versions and the actor', async () => {
      const c = await client(db.owner);
      await c.subscribe(`table:${table.id}`);
      const created = await db.as(db.owner).post(rowsPath, { fields: { Title: 'one' } });
      expect(created.status).to.equal(201);
      const patched = await db.as(db.owner).patch(`${rowsPath}/${created.body.id}`, {
        fields: { Done: true },
        version: 1,
      });
      expect(patched.status).to.equal(200);
      const [insert, update] = await c.waitFor('data:update', 2);
      expect(insert).to.include({ tableId: table.id, op: 'insert', actor: db.owner.id });
      expect(insert.rows).to.deep.equal([{ id: created.body.id, version: 1, fields: created.body.fields }]);
      expect(update).to.include({ op: 'update', seq: insert.seq + 1, epoch: insert.epoch });
      expect(update.rows[0]).to.deep.include({ id: created.body.id, version: 2 });
      expect(update.rows[0].fields).to.include({ Title: 'one', Done: true });
    });

    it('batches the rows of one bulk write into one update', async () => {
      const c = await client(db.owner);
      await c.subscribe(`table:${table.id}`);
      const bulk = await db.as(db.owner).post(`${rowsPath}/bulk`, {
        operation: 'create',
        rows: [{ fields: { Title: 'a' } }, { fields: { Title: 'b' } }, { fields: { Title: 'c' } }],
      });
      expect(bulk.status, JSON.stringify(bulk.body)).to.be.within(200, 201);
      const [update] = await c.waitFor('data:update', 1);
      expect(update.op).to.equal('insert');
      expect(update.rows.map((r: { fields: { Title: string } }) => r.fields.Title)).to.deep.equal([
        'a',
        'b',
        'c',
      ]);
    });

    it('lets a viewer join a table room; refuses another workspace’s table and malformed rooms', async () => {
      const viewer = await db.member('viewer', 'viewer');
      const c = await client(viewer);
      expect((await c.send('subscribe', { room: `table:${table.id}` })).ok).to.equal(true);

      const elsewhere = await startMiniDb('elsewhere');
      try {
        const foreign = await elsewhere.as(elsewhere.owner).table({ name: 'Secret', columns: [] });
        const refused = await c.send('subscribe', { room: `table:${foreign.id}` });
        expect(refused.ok).to.equal(false);
        expect(refused.error).to.include({ status: 404 });
        const presence = await c.send('subscribe', { room: `presence:${foreign.id}` });
        expect(presence.error).to.include({ status: 404 });
      } finally {
        await elsewhere.stop();
      }
      const malformed = await c.send('subscribe', { room: 'table:../../etc' });
      expect(malformed.ok).to.equal(false);
      expect(malformed.error).to.include({ status: 422 });
    });

    it('does not send a table’s changes to a socket that did not join its room, or left it', async () => {
      const listening = await client(db.owner);
      const leaving = await client(db.owner);
      const idle = await client(db.owner);
      await listening.subscribe(`table:${table.id}`);
      await leaving.subscribe(`table:${table.id}`);
      expect((await leaving.send('unsubscribe', { room: `table:${table.id}` })).ok).to.equal(true);
      await db.as(db.owner).post(rowsPath, { fields: { Title: 'quiet' } });
      await listening.waitFor('data:update', 1);
      // A later event that reaches the listener was sent after the first: the others had theirs.
      await db.as(db.owner).post(rowsPath, { fields: { Title: 'marker' } });
      await listening.waitFor('data:update', 2);
      expect(leaving.events('data:update')).to.have.length(0);
      expect(idle.events('data:update')).to.have.length(0);
    });

    it('tells the workspace of schema changes', async () => {
      const c = await client(db.owner);
      const added = await db.as(db.owner).post(`/api/v1/tables/${table.id}/columns`, {
        name: 'Notes',
        type: 'longText',
      });
      expect(added.status, JSON.stringify(added.body)).to.equal(201);
      const [update] = await c.waitFor('schema:update', 1);
      expect(update).to.include({ kind: 'table', tableId: table.id, actor: db.owner.id });
    });
  });

  describe('cell edits', () => {
    it('writes through the rows service and acknowledges the row; a stale version gets 409 and conflict', async () => {
      const editor = await db.member('editor', 'editor');
      const c = await client(editor);
      const created = await db.as(db.owner).post(rowsPath, { fields: { Title: 'edit me' } });
      const ack = await c.send('cell:update', {
        tableId: table.id,
        rowId: created.body.id,
        fields: { Title: 'edited' },
        version: 1,
      });
      expect(ack.ok, JSON.stringify(ack)).to.equal(true);
      expect(ack.row).to.deep.include({ id: created.body.id, version: 2 });
      expect(ack.row.fields.Title).to.equal('edited');
      const stored = await db.as(db.owner).get(`${rowsPath}/${created.body.id}`);
      expect(stored.body.fields.Title).to.equal('edited');

      const stale = await c.send('cell:update', {
        tableId: table.id,
        rowId: created.body.id,
        fields: { Title: 'late' },
        version: 1,
      });
      expect(stale.ok).to.equal(false);
      expect(stale.error).to.include({ status: 409, code: 'version_conflict' });
      const [conflict] = await c.waitFor('conflict', 1);
      expect(conflict).to.deep.include({ tableId: table.id, rowId: created.body.id, baseVersion: 1 });
      expect(conflict.theirs).to.deep.include({ version: 2 });
      expect(conflict.mine).to.deep.equal({ Title: 'late' });
      const after = await db.as(db.owner).get(`${rowsPath}/${created.body.id}`);
      expect(after.body).to.deep.include({ version: 2 });
      expect(after.body.fields.Title).to.equal('edited');
    });

    it('merges two users’ edits of different fields of one row made on the same version', async () => {
      const [one, two] = [
        await client(await db.member('one', 'editor')),
        await client(await db.member('two', 'editor')),
      ];
      const created = await db.as(db.owner).post(rowsPath, { fields: { Title: 'shared', Done: false } });
      const edit = (c: LiveClient, fields: Record<string, unknown>) =>
        c.send('cell:update', { tableId: table.id, rowId: created.body.id, fields, version: 1 });
      const [a, b] = [await edit(one, { Title: 'renamed' }), await edit(two, { Done: true })];
      expect([a.ok, b.ok], JSON.stringify([a, b])).to.deep.equal([true, true]);
      const row = await db.as(db.owner).get(`${rowsPath}/${created.body.id}`);
      expect(row.body).to.deep.include({ version: 3 });
      expect(row.body.fields).to.include({ Title: 'renamed', Done: true });
      expect(two.events('conflict')).to.have.length(0);
    });

    it('refuses a viewer’s edit (403) and bad input (422), changing nothing', async () => {
      const viewer = await db.member('viewer2', 'viewer');
      const c = await client(viewer);
      const created = await db.as(db.owner).post(rowsPath, { fields: { Title: 'keep' } });
      const denied = await c.send('cell:update', {
        tableId: table.id,
        rowId: created.body.id,
        fields: { Title: 'no' },
      });
      expect(denied.error).to.include({ status: 403 });
      const bad = await c.send('cell:update', { tableId: 'nope', fields: 'x' });
      expect(bad.error).to.include({ status: 422 });
      const row = await db.as(db.owner).get(`${rowsPath}/${created.body.id}`);
      expect(row.body).to.deep.include({ version: 1 });
      expect(row.body.fields.Title).to.equal('keep');
    });

    it('limits how fast one socket may send events', async () => {
      const c = await client(db.owner);
      const answers = await Promise.all(
        Array.from({ length: 80 }, () => c.send('subscribe', { room: `table:${table.id}` })),
      );
      const limited = answers.filter((a) => !a.ok);
      expect(limited.length).to.be.greaterThan(0);
      expect(limited[0].error).to.include({ status: 429, code: 'rate_limited' });
      expect(answers.filter((a) => a.ok).length).to.be.within(60, 70);
    });
  });
});

describe('realtime: access token expiry on a live socket', () => {
  let db: MiniDb;
  before(async () => {
    db = await startMiniDb('owner', { ACCESS_TOKEN_TTL_SECONDS: '10' }); // the shortest allowed
  });
  after(() => db.stop());

  it('disconnects a socket whose token expires unrefreshed, keeps one that refreshed, and refuses the expired token', async function () {
    this.timeout(30_000);
    const expiring = new LiveClient(db.app.url, db.workspaceId, db.owner.accessToken);
    const refreshing = new LiveClient(db.app.url, db.workspaceId, db.owner.accessToken);
    try {
      await Promise.all([expiring.connected(), refreshing.connected()]);
      // A token issued in the same second as the first would expire with it: wait for the next.
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const later = await db.app.request('POST', '/api/v1/auth/refresh', {
        body: { refreshToken: db.owner.refreshToken },
      });
      expect(later.status).to.equal(200);
      expect((await refreshing.send('auth:refresh', { token: later.body.accessToken })).ok).to.equal(true);

      await expiring.waitFor('auth:expired', 1, 15_000);
      await new Promise<void>((resolve) =>
        expiring.socket.connected ? expiring.socket.once('disconnect', () => resolve()) : resolve(),
      );
      expect(refreshing.socket.connected).to.equal(true);
      expect(refreshing.events('auth:expired')).to.have.length(0);

      const late = new LiveClient(db.app.url, db.workspaceId, db.owner.accessToken);
      const refused = await late.connected().then(
        () => expect.fail('an expired token must not be admitted'),
        (e: { problem: { status: number; code: string } }) => e.problem,
      );
      late.close();
      expect(refused).to.include({ status: 401, code: 'token_expired' });
    } finally {
      expiring.close();
      refreshing.close();
    }
  });
});
