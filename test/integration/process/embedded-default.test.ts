import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { call, DataplaneProcess, freePort } from './harness.js';

/**
 * `make dev` on a fresh clone: no DATABASE_URL, no REDIS_URL, no secrets. The process starts a
 * real PostgreSQL under LT_DATA_DIR, generates its secrets there, and keeps both across restarts.
 */
describe('process: the embedded default (no DATABASE_URL)', function () {
  this.timeout(120_000);
  let dataDir: string;
  let env: Record<string, string>;
  const started: DataplaneProcess[] = [];
  const email = `embedded-${Date.now().toString(36)}@example.test`;
  const password = 'correct horse battery staple';
  let firstAccessToken: string;
  let secretsAfterFirstRun: string[];

  before(async () => {
    // mkdtemp makes a private (0700) directory: the root-run PostgreSQL must still reach into it.
    dataDir = await mkdtemp(path.join(tmpdir(), 'lt-embedded-'));
    env = {
      PORT: '0',
      HOST: '127.0.0.1',
      LT_DATA_DIR: dataDir,
      EMBEDDED_PG_PORT: String(await freePort()),
      BCRYPT_COST: '4',
      LOG_LEVEL: 'info',
    };
  });

  after(async () => {
    await Promise.all(started.map((p) => p.dispose()));
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  async function start(): Promise<{ proc: DataplaneProcess; url: string }> {
    const proc = new DataplaneProcess(env);
    started.push(proc);
    return { proc, url: await proc.url() };
  }

  const readSecrets = () =>
    Promise.all(['jwt-secret', 'master-key'].map((f) => readFile(path.join(dataDir, 'secrets', f), 'utf8')));

  it('first start: initialises PostgreSQL under LT_DATA_DIR, answers /readyz 200, takes a sign-up', async () => {
    const { proc, url } = await start();
    const msgs = proc.lines.map((l) => l.msg);
    expect(msgs).to.include('initialising embedded PostgreSQL');
    expect(msgs).to.include('embedded PostgreSQL started');
    const listening = proc.lines.find((l) => String(l.msg).startsWith('Live Tables dataplane listening'));
    expect(listening).to.include({ mode: 'standalone', embeddedPostgres: true, redis: false });
    expect(existsSync(path.join(dataDir, 'postgres', 'PG_VERSION'))).to.equal(true);

    const ready = await call(url, 'GET', '/readyz');
    expect(ready.status).to.equal(200);
    expect(ready.body.checks).to.deep.equal({ postgres: 'ok' });

    const registered = await call(url, 'POST', '/api/v1/auth/register', {
      email,
      password,
      name: 'Embedded',
    });
    expect(registered.status).to.equal(201);
    firstAccessToken = registered.body.accessToken as string;
    const workspace = await call(
      url,
      'POST',
      '/api/v1/workspaces',
      { name: 'Embedded WS' },
      firstAccessToken,
    );
    expect(workspace.status).to.equal(201);
  });

  it('generated its secrets under <dataDir>/secrets, private to the owner', async () => {
    const dir = path.join(dataDir, 'secrets');
    expect((await stat(dir)).mode & 0o777).to.equal(0o700);
    for (const file of ['jwt-secret', 'master-key'])
      expect((await stat(path.join(dir, file))).mode & 0o777, file).to.equal(0o600);
    const [jwt, master] = await readSecrets();
    expect(Buffer.from(jwt?.trim() ?? '', 'base64')).to.have.length(48);
    expect(Buffer.from(master?.trim() ?? '', 'base64')).to.have.length(32);
    secretsAfterFirstRun = [jwt ?? '', master ?? ''];
  });

  it('stops on SIGTERM with exit 0 and shuts its PostgreSQL down', async () => {
    const first = started[0] as DataplaneProcess;
    expect(await first.stop()).to.deep.equal({ code: 0, signal: null });
    // PostgreSQL removes its pid file on a clean shutdown.
    expect(existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).to.equal(false);
  });

  it('after a restart on the same data dir: same database, same secrets, the user logs in', async () => {
    const { proc, url } = await start();
    expect(proc.lines.map((l) => l.msg)).to.not.include('initialising embedded PostgreSQL');
    expect(await readSecrets()).to.deep.equal(secretsAfterFirstRun);

    expect((await call(url, 'GET', '/readyz')).status).to.equal(200);
    const login = await call(url, 'POST', '/api/v1/auth/login', { email, password });
    expect(login.status).to.equal(200);
    const me = await call(url, 'GET', '/api/v1/auth/me', undefined, login.body.accessToken as string);
    expect(me.status).to.equal(200);
    expect((me.body.workspaces as { name: string }[]).map((w) => w.name)).to.deep.equal(['Embedded WS']);
    // The JWT secret survived: a token from before the restart is still good.
    const old = await call(url, 'GET', '/api/v1/auth/me', undefined, firstAccessToken);
    expect(old.status).to.equal(200);

    expect(await proc.stop()).to.deep.equal({ code: 0, signal: null });
  });
});
