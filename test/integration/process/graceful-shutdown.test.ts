import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import pg from 'pg';
import { createTestDatabase } from '../../support/databases.js';
import { DataplaneProcess, externalDbEnv, type LogLine } from './harness.js';

/** Resolves true when a TCP connection to `url` is refused, false when it is accepted. */
function refused(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    // A connection reset means the listener closed while our SYN sat in its backlog: not refused
    // yet, so the caller probes again (the next attempt meets the closed port).
    socket.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'ECONNREFUSED'
        ? resolve(true)
        : error.code === 'ECONNRESET'
          ? resolve(false)
          : reject(error),
    );
  });
}

/**
 * A POST whose headers are on the server (it answered `100 Continue`, so the request is being
 * handled) and whose body we send when we choose: an in-flight request under our control.
 */
async function startHeldRequest(
  url: string,
  path: string,
  body: string,
): Promise<{ req: ClientRequest; body: string; response: Promise<{ status: number; body: string }> }> {
  const req = httpRequest(`${url}${path}`, {
    method: 'POST',
    agent: false,
    headers: {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      expect: '100-continue',
    },
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.once('response', (res: IncomingMessage) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.once('error', reject);
    });
    req.once('error', reject);
  });
  response.catch(() => undefined); // awaited by the test
  req.flushHeaders();
  await new Promise<void>((resolve, reject) => {
    req.once('continue', resolve);
    req.once('error', reject);
  });
  return { req, body, response };
}

const isRequestLine = (path: string) => (l: LogLine) => l.msg === 'request' && l.path === path;

describe('process: graceful shutdown', function () {
  this.timeout(120_000);
  let db: { url: string; drop: () => Promise<void> };
  const started: DataplaneProcess[] = [];
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await Promise.all(started.map((p) => p.dispose()));
    await db?.drop();
  });

  async function startProcess(
    extra: Record<string, string>,
  ): Promise<{ proc: DataplaneProcess; url: string }> {
    const proc = new DataplaneProcess(externalDbEnv(db.url, extra));
    started.push(proc);
    return { proc, url: await proc.url() };
  }

  it('SIGTERM during an in-flight request: it completes with 201, new connections are refused, exit 0', async () => {
    // A slow hash keeps the register busy after its body arrives, too.
    const { proc, url } = await startProcess({ BCRYPT_COST: '13', SHUTDOWN_TIMEOUT_MS: '60000' });
    const email = `in-flight-${Date.now().toString(36)}@example.test`;
    const held = await startHeldRequest(
      url,
      '/api/v1/auth/register',
      JSON.stringify({ email, password: 'correct horse battery staple', name: 'In Flight' }),
    );

    proc.child.kill('SIGTERM');
    await proc.waitForLine((l) => l.msg === 'shutting down', 'shutting down');
    // The listener closes a few ticks after that line; our held request keeps the process alive.
    while (!(await refused(url))) await sleep(20);
    expect(proc.running, 'the process must still be draining our request').to.equal(true);

    held.req.end(held.body);
    const res = await held.response;
    expect(res.status, res.body).to.equal(201);
    const body = JSON.parse(res.body) as { user: { email: string }; accessToken: string };
    expect(body.user.email).to.equal(email);
    expect(body.accessToken).to.be.a('string');

    expect(await proc.exited).to.deep.equal({ code: 0, signal: null });
    const msgs = proc.lines.map((l) => l.msg);
    const order = [
      msgs.indexOf('shutting down'),
      proc.lines.findIndex(isRequestLine('/api/v1/auth/register')),
      msgs.indexOf('stopped'),
    ];
    expect(order[0]).to.be.greaterThan(-1);
    expect(order, 'shutting down, then the request finished, then stopped').to.deep.equal(
      [...order].sort((a, b) => a - b),
    );
    expect(proc.stderr).to.equal('');
    expect(await refused(url)).to.equal(true);

    // The user was committed before the pools closed.
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT email FROM lt_control.users WHERE email = $1', [email]);
      expect(rows).to.have.length(1);
    } finally {
      await client.end();
    }
  });

  it('a request that never finishes is cut after SHUTDOWN_TIMEOUT_MS and the process still exits 0', async () => {
    const { proc, url } = await startProcess({ SHUTDOWN_TIMEOUT_MS: '1000' });
    const held = await startHeldRequest(
      url,
      '/api/v1/auth/login',
      JSON.stringify({ email: 'a@b.c', password: 'x' }),
    );
    proc.child.kill('SIGTERM');
    // The body is never sent: the deadline has to end this connection.
    let failure: unknown;
    await held.response.catch((error: unknown) => (failure = error));
    expect(failure, 'the held request should have been cut').to.be.instanceOf(Error);
    expect(await proc.exited).to.deep.equal({ code: 0, signal: null });
    expect(proc.lines.map((l) => l.msg)).to.include('stopped');
  });

  it('SIGINT stops an idle process the same way', async () => {
    const { proc, url } = await startProcess({});
    proc.child.kill('SIGINT');
    expect(await proc.exited).to.deep.equal({ code: 0, signal: null });
    expect(proc.lines.find((l) => l.msg === 'shutting down')?.signal).to.equal('SIGINT');
    expect(await refused(url)).to.equal(true);
  });
});
