import type { ConnectionSettings } from '../../../dataplane/src/adapters/adapter.js';
import type { CheckedHost } from '../../../dataplane/src/services/connections/ports.js';
import type { ConnectionOptions } from '../../../dataplane/src/services/connections/connection-row.js';
import type { ConnectionDefinition } from './connection-definition.js';

/** What the operator's checks allow a statement (they only discover the schema). */
const CHECK_STATEMENT_TIMEOUT_MS = 10_000;
const CHECK_ROW_CAP = 1;

/** The `options` column as the dataplane reads it (connection-row.ts). */
export function connectionOptions(definition: ConnectionDefinition): ConnectionOptions {
  const { tls, pool } = definition;
  return {
    ...(tls ? { tls: tls.rejectUnauthorized ? true : { rejectUnauthorized: false } } : {}),
    pool: { max: pool.max, idleMs: pool.idleTimeoutSeconds * 1000 },
  };
}

/** Adapter settings for one check: the guard's checked address, a single pooled session. */
export function checkSettings(
  id: string,
  definition: ConnectionDefinition,
  target: CheckedHost,
): ConnectionSettings {
  return {
    id,
    type: definition.type,
    host: target.address,
    servername: target.servername,
    port: definition.port,
    database: definition.database,
    ...(definition.username !== undefined ? { username: definition.username } : {}),
    ...(definition.password !== undefined ? { password: definition.password } : {}),
    readOnly: true,
    statementTimeoutMs: CHECK_STATEMENT_TIMEOUT_MS,
    rowCap: CHECK_ROW_CAP,
    ...(definition.tls ? { ssl: { rejectUnauthorized: definition.tls.rejectUnauthorized } } : {}),
    pool: { max: 1, idleMs: 1000 },
  };
}
