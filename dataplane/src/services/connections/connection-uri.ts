import { ValidationError } from '../../platform/errors.js';
import type { AdapterType } from '../../adapters/adapter.js';
import { assertSafeConnectionUri } from '../../platform/ssrf/driver-options.js';

export interface ConnectionParts {
  host: string;
  port: number;
  database: string;
  username?: string;
  password?: string;
}

const DEFAULT_PORTS: Record<AdapterType, number> = { postgres: 5432, mysql: 3306, mongodb: 27017 };
const SCHEMES: Record<AdapterType, string[]> = {
  postgres: ['postgres:', 'postgresql:'],
  mysql: ['mysql:', 'mariadb:'],
  mongodb: ['mongodb:'],
};

export const defaultPort = (type: AdapterType): number => DEFAULT_PORTS[type];

/**
 * Splits a connection URI into the parts we store. Query parameters are refused: driver options
 * that reach the local machine (libpq `options`, `host=/socket`, local infile) hide there.
 */
export function parseConnectionUri(type: AdapterType, uri: string): ConnectionParts {
  // The guard's checks first (scheme, SRV, socket hosts, unsafe options), so they live in one place.
  assertSafeConnectionUri(type, uri);
  const fail = (message: string) => new ValidationError(`uri: ${message}`, [{ path: '/uri', message }]);
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw fail('is not a valid URI');
  }
  if (!SCHEMES[type].includes(url.protocol))
    throw fail(`must start with ${SCHEMES[type].map((s) => s + '//').join(' or ')}`);
  if (url.search) throw fail('query parameters are not accepted; use the connection fields');
  if (!url.hostname || url.hostname.includes(',')) throw fail('must name exactly one host');
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!database) throw fail('must name a database');
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : DEFAULT_PORTS[type],
    database,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
  };
}
