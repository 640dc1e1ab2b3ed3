import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { cpus, loadavg } from 'node:os';
import Koa from 'koa';
import { startDataplane, type Dataplane } from '../dataplane/src/dataplane.js';
import { envVariables, loadConfig } from '../dataplane/src/platform/config.js';
import { createLogger } from '../dataplane/src/platform/logger.js';
import { listen } from '../dataplane/src/platform/http-server.js';
import { createTestDatabase } from '../test/support/databases.js';
import {
  SETTINGS,
  formatTable,
  measure,
  warnings,
  type Benchmark,
  type RequestShape,
  type Row,
} from './measure.js';

/** What production runs with unless BCRYPT_COST is set: the default of the config table. */
const PRODUCTION_BCRYPT_COST = envVariables.BCRYPT_COST.default;
/** The cheapest cost bcrypt accepts: what is left of a login is the framework and the database. */
const CHEAP_BCRYPT_COST = '4';
const PASSWORD = 'bench password with enough length';

/** A dataplane in this process, as a deployment would configure it, minus login throttling. */
async function startBenchDataplane(databaseUrl: string, bcryptCost: string): Promise<Dataplane> {
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    JWT_SECRET: randomBytes(32).toString('hex'),
    LT_MASTER_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'silent',
    BCRYPT_COST: bcryptCost,
    LOGIN_ATTEMPTS_PER_IP_PER_MINUTE: String(1_000_000_000),
    LOGIN_FREE_FAILURES: String(1_000_000_000),
  });
  return startDataplane(config, createLogger(config.logLevel));
}

/** The baseline: a bare koa app, one middleware answering a small JSON body. */
async function startBaseline(): Promise<{ url: string; server: Server }> {
  const app = new Koa();
  app.use((ctx) => {
    ctx.body = { ok: true };
  });
  const server = createServer(app.callback());
  return { url: await listen(server, 0, '127.0.0.1'), server };
}

async function post(url: string, path: string, body: unknown, token?: string): Promise<unknown> {
  const res = await fetch(url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const json: unknown = await res.json();
  if (!res.ok) throw new Error(`bench setup: POST ${path} answered ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** A user (and a workspace, so /me has one to list); returns the login body and a token. */
async function seedUser(url: string, email: string): Promise<{ loginBody: string; accessToken: string }> {
  const registered = (await post(url, '/api/v1/auth/register', {
    email,
    password: PASSWORD,
    name: 'Bench User',
  })) as { accessToken: string };
  await post(url, '/api/v1/workspaces', { name: 'Bench workspace' }, registered.accessToken);
  return { loginBody: JSON.stringify({ email, password: PASSWORD }), accessToken: registered.accessToken };
}

function loginRequest(body: string): RequestShape {
  return {
    method: 'POST',
    path: '/api/v1/auth/login',
    headers: { 'content-type': 'application/json' },
    body,
  };
}

/** Measures `request` against the dataplane, then the identical request against the baseline. */
async function compare(name: string, dataplaneUrl: string, baselineUrl: string, request: RequestShape) {
  const ours = await measure(dataplaneUrl, request);
  const baseline = await measure(baselineUrl, request);
  return { name, ours, baseline } satisfies Row;
}

async function postgresVersion(dataplane: Dataplane): Promise<string> {
  const result = (await dataplane.knex.raw('SHOW server_version')) as { rows: { server_version: string }[] };
  return result.rows[0]?.server_version ?? 'unknown';
}

export const authBenchmark: Benchmark = {
  name: 'auth',
  async run() {
    const loadAtStart = (loadavg()[0] ?? 0).toFixed(2);
    const database = await createTestDatabase();
    const baseline = await startBaseline();
    const rows: Row[] = [];
    let pgVersion: string | undefined;
    try {
      // The production cost: a user's hash keeps the cost it was made with, so each cost gets
      // its own user, registered by a dataplane configured with that cost.
      const production = await startBenchDataplane(database.url, PRODUCTION_BCRYPT_COST);
      try {
        pgVersion = await postgresVersion(production);
        const user = await seedUser(production.url, 'bench-prod@example.test');
        rows.push(
          await compare(
            `POST /auth/login (bcrypt cost ${PRODUCTION_BCRYPT_COST}, production default)`,
            production.url,
            baseline.url,
            loginRequest(user.loginBody),
          ),
        );
        rows.push(
          await compare('GET /auth/me', production.url, baseline.url, {
            method: 'GET',
            path: '/api/v1/auth/me',
            headers: { authorization: `Bearer ${user.accessToken}` },
          }),
        );
      } finally {
        await production.stop();
      }
      const cheap = await startBenchDataplane(database.url, CHEAP_BCRYPT_COST);
      try {
        const user = await seedUser(cheap.url, 'bench-cheap@example.test');
        rows.push(
          await compare(
            `POST /auth/login (bcrypt cost ${CHEAP_BCRYPT_COST}, framework overhead)`,
            cheap.url,
            baseline.url,
            loginRequest(user.loginBody),
          ),
        );
      } finally {
        await cheap.stop();
      }
    } finally {
      await new Promise((resolve) => baseline.server.close(resolve));
      await database.drop();
    }
    print(rows, pgVersion ?? 'unknown', loadAtStart);
  },
};

function print(rows: Row[], pgVersion: string, loadAtStart: string): void {
  const lines = [
    'auth benchmark',
    `  autocannon: ${SETTINGS.connections} connections, pipelining ${SETTINGS.pipelining}, ` +
      `${SETTINGS.warmupSeconds} s warm-up + ${SETTINGS.durationSeconds} s measured per row, ` +
      `load generated in ${SETTINGS.workers} worker thread`,
    `  dataplane: in process, standalone (in-process cache and rate limiter, no Redis), LOG_LEVEL=silent, ` +
      `login throttling off; PostgreSQL ${pgVersion} on a fresh database, pool ${envVariables.DB_POOL_MAX.default}`,
    `  baseline: bare koa (one middleware answering {"ok":true}), same request and settings, same run`,
    `  machine: node ${process.version}, ${cpus().length} CPUs, ` +
      `UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'} (bcrypt hashes on this pool), ` +
      `load average ${loadAtStart} at start (other work on the machine lowers every figure)`,
    '',
    formatTable(rows),
    '',
    '  ratio = our req/s / baseline req/s (1.0 = as fast as bare koa)',
    ...warnings(rows),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
