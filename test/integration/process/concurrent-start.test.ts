import { expect } from 'chai';
import pg from 'pg';
import { controlMigrations } from '../../../dataplane/src/store/migrations/control/index.js';
import { createTestDatabase } from '../../support/databases.js';
import { call, DataplaneProcess, externalDbEnv } from './harness.js';

describe('process: two replicas starting at once on a fresh database', function () {
  this.timeout(120_000);
  let db: { url: string; drop: () => Promise<void> };
  let replicas: DataplaneProcess[] = [];
  let urls: string[] = [];

  before(async () => {
    db = await createTestDatabase();
    // Spawned in the same tick: both race for the migrations.
    replicas = [new DataplaneProcess(externalDbEnv(db.url)), new DataplaneProcess(externalDbEnv(db.url))];
    urls = await Promise.all(replicas.map((r) => r.url()));
  });

  after(async () => {
    await Promise.all(replicas.map((r) => r.dispose()));
    await db?.drop();
  });

  it('both come up and answer /readyz 200', async () => {
    expect(urls[0]).to.not.equal(urls[1]);
    for (const url of urls) {
      const res = await call(url, 'GET', '/readyz');
      expect(res.status, `${url}/readyz`).to.equal(200);
    }
  });

  it('ran each control migration exactly once', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string }>(
        'SELECT name FROM lt_control.lt_migrations_control ORDER BY id',
      );
      expect(rows.map((r) => r.name)).to.deep.equal(controlMigrations.map((m) => m.name));
    } finally {
      await client.end();
    }
  });

  it('exactly one of them applied the migrations; the other found them done', () => {
    const migrated = replicas.map((r) => r.lines.filter((l) => l.msg === 'control schema migrated'));
    expect(migrated.map((lines) => lines.length).sort()).to.deep.equal([0, 1]);
    const applied = migrated.flat()[0]?.applied;
    expect(applied).to.deep.equal(controlMigrations.map((m) => m.name));
  });

  it('both serve the same data: a user registered on one logs in on the other', async () => {
    const [first, second] = urls as [string, string];
    const email = `replica-${Date.now().toString(36)}@example.test`;
    const password = 'correct horse battery staple';
    const registered = await call(first, 'POST', '/api/v1/auth/register', {
      email,
      password,
      name: 'Replica',
    });
    expect(registered.status).to.equal(201);
    const loggedIn = await call(second, 'POST', '/api/v1/auth/login', { email, password });
    expect(loggedIn.status).to.equal(200);
    const me = await call(second, 'GET', '/api/v1/auth/me', undefined, loggedIn.body.accessToken as string);
    expect(me.status).to.equal(200);
    expect((me.body.user as { email: string }).email).to.equal(email);
  });

  it('both stop cleanly on SIGTERM', async () => {
    const exits = await Promise.all(replicas.map((r) => r.stop()));
    expect(exits).to.deep.equal([
      { code: 0, signal: null },
      { code: 0, signal: null },
    ]);
  });
});
