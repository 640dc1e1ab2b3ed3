import type { Knex } from 'knex';

interface PgConnection {
  query(config: {
    name?: string;
    text: string;
    values: readonly unknown[];
  }): Promise<{ rows: Record<string, unknown>[] }>;
}

interface PooledClient {
  acquireConnection(): Promise<unknown>;
  releaseConnection(connection: unknown): Promise<void>;
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
  statement: { name?: string; text: string; values: readonly unknown[] },
): Promise<Record<string, unknown>[]> {
  const client = knex.client as unknown as PooledClient;
  const connection = (await client.acquireConnection()) as PgConnection;
  try {
    return (await connection.query(statement)).rows;
  } finally {
    await client.releaseConnection(connection);
  }
}
