import { loadConfig } from '../../dataplane/src/platform/config.js';
import { createLogger } from '../../dataplane/src/platform/logger.js';
import { startDataplane, type Dataplane } from '../../dataplane/src/dataplane.js';
import { createTestDatabase } from './databases.js';

export interface TestApp {
  url: string;
  dataplane: Dataplane;
  databaseUrl: string;
  /** fetch against the app; JSON bodies are encoded, JSON answers decoded. */
  request(method: string, path: string, options?: RequestOptions): Promise<TestResponse>;
  stop(): Promise<void>;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  // Tests read arbitrary JSON; chai assertions check its shape.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** The secrets every test app signs and seals with (a separate process can share its tokens). */
export const TEST_APP_JWT_SECRET = 'test-secret-test-secret-test-secret-0123';
export const TEST_APP_MASTER_KEY = Buffer.alloc(32, 7).toString('base64');

/**
 * A real dataplane on its own fresh database, listening on a free port. `env` overrides the
 * environment exactly as a deployment would set it.
 */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const db = env.DATABASE_URL ? undefined : await createTestDatabase();
  const databaseUrl = env.DATABASE_URL ?? (db as { url: string }).url;
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    BCRYPT_COST: '4',
    JWT_SECRET: TEST_APP_JWT_SECRET,
    LT_MASTER_KEY: TEST_APP_MASTER_KEY,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    LOGIN_ATTEMPTS_PER_IP_PER_MINUTE: '1000',
    ...env,
    DATABASE_URL: databaseUrl,
  });
  const dataplane = await startDataplane(config, createLogger(config.logLevel));
  const url = dataplane.url;
  return {
    url,
    dataplane,
    databaseUrl,
    request: (method, path, options = {}) => request(url, method, path, options),
    async stop() {
      await dataplane.stop();
      await db?.drop();
    },
  };
}

export async function request(
  baseUrl: string,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<TestResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  } else if (body !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(baseUrl + path, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: parsed };
}

let userCounter = 0;

/** Registers a fresh user; returns its tokens and id. */
export async function registerUser(
  app: TestApp,
  name = 'user',
): Promise<{ id: string; email: string; password: string; accessToken: string; refreshToken: string }> {
  const email = `${name}-${Date.now().toString(36)}-${userCounter++}@example.test`;
  const password = 'correct horse battery staple';
  const res = await app.request('POST', '/api/v1/auth/register', { body: { email, password, name } });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return {
    id: res.body.user.id,
    email,
    password,
    accessToken: res.body.accessToken,
    refreshToken: res.body.refreshToken,
  };
}
