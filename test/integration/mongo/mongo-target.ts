import { randomBytes } from 'node:crypto';
import { startMongoTestServer } from '../../fixtures/mongo-server/index.js';

/**
 * Where the MongoDB suites run: a real server when MONGO_URL is set (DESIGN §7), otherwise the
 * in-repo wire-protocol test server. Suites use their own database (`freshDatabaseName`) and
 * drop it afterwards, so a shared real server is left as it was found.
 */
export interface MongoTarget {
  url: string;
  real: boolean;
  stop(): Promise<void>;
}

export async function startMongoTarget(): Promise<MongoTarget> {
  const url = process.env.MONGO_URL;
  if (url) return { url, real: true, stop: async () => {} };
  const server = await startMongoTestServer();
  return { url: server.url, real: false, stop: () => server.stop() };
}

/** Host, port and credentials of a single-host `mongodb://` URL. */
export function parseMongoUrl(url: string): {
  host: string;
  port: number;
  username?: string;
  password?: string;
} {
  const parsed = new URL(url.replace(/^mongodb:/, 'http:'));
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const credentials = parsed.username
    ? { username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) }
    : {};
  return { host, port: Number(parsed.port || 27017), ...credentials };
}

export function freshDatabaseName(prefix = 'lt_test'): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}
