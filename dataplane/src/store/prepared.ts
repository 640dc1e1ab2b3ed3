import { createHash } from 'node:crypto';
import type { Knex } from 'knex';

interface PgConnection {
  query(config: {
    name?: string;
    text: string;
    values: readonly unknown[];
  }): Promise<{ rows: Record<string, unknown>[] }>;
  /** node-postgres keeps the names it has prepared on this connection here. */
  connection?: { parsedStatements?: Record<string, string> };
}

interface PooledClient {
  acquireConnection(): Promise<unknown>;
  releaseConnection(connection: unknown): Promise<void>;
}

export interface DriverStatement {
  /** Set: a prepared statement of that name, parsed and planned once per connection. */
  name?: string;
  text: string;
  values: readonly unknown[];
}

/**
 * Runs a named prepared statement on a pooled connection: PostgreSQL parses and plans it once per
 * connection, then only executes it. For the statements every request runs (resolving the
 * caller's workspace), where planning a join costs several times its execution. `text` must be
 * the same for a given `name`; values are bound (`$1`…), never interpolated.
 */
export function queryPrepared(
  knex: Knex,
  name: string,
  text: string,
  values: readonly unknown[],
): Promise<Record<string, unknown>[]> {
  return queryDriver(knex, { name, text, values });
}

/**
 * Runs a statement already in the driver's form (`$1` placeholders, bound values) on a pooled
 * connection, past knex's builder: for statements the query layer prepared once and caches.
 */
export async function queryDriver(
  knex: Knex,
  statement: DriverStatement,
): Promise<Record<string, unknown>[]> {
  const client = knex.client as unknown as PooledClient;
  const connection = (await client.acquireConnection()) as PgConnection;
  try {
    return await runOn(connection, statement);
  } finally {
    await client.releaseConnection(connection);
  }
}

/** The same on a connection already held (a transaction's). */
export async function runOn(
  connection: unknown,
  statement: DriverStatement,
): Promise<Record<string, unknown>[]> {
  const pg = connection as PgConnection;
  if (statement.name) await makeRoom(pg);
  return (await pg.query(statement)).rows;
}

/**
 * A name for a generated statement: the same text (and `salt`: what its result shape depends
 * on beyond the text, such as a table's schema version) always gets the same name, so each
 * connection prepares it once. A prepared plan survives DDL by replanning, but not a change of
 * its result's row type, hence the salt.
 */
export function statementName(text: string, salt = ''): string {
  return `lt_${createHash('sha1').update(text).update('\0').update(salt).digest('base64url')}`;
}

/** Prepared statements a connection keeps at most; past that it forgets them all and starts over. */
const MAX_PREPARED = 256;

/** Bounds the server memory of generated statements: they are as many as tables × shapes. */
async function makeRoom(connection: PgConnection): Promise<void> {
  const parsed = connection.connection?.parsedStatements;
  if (!parsed) return;
  let count = 0;
  for (const _ in parsed) if (++count >= MAX_PREPARED) break;
  if (count < MAX_PREPARED) return;
  await connection.query({ text: 'DEALLOCATE ALL', values: [] });
  for (const name of Object.keys(parsed)) delete parsed[name];
}
