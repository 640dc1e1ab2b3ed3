import pg from 'pg';

/** The parts of pg.Query that @types/pg does not declare but a submittable overrides. */
interface QueryInternals {
  handleCommandComplete(msg: unknown, connection: PgConnection): void;
  handleEmptyQuery(connection: PgConnection): void;
  handleError(error: Error, connection: PgConnection): void;
  prepare(connection: PgConnection): void;
}
interface PgConnection {
  sync(): void;
}

const base = pg.Query.prototype as unknown as QueryInternals;

/**
 * A query that reads at most `cap + 1` rows from the server and then closes its portal, so a
 * huge result never reaches memory. Always the extended protocol: one statement, parameters
 * bound, never interpolated (a second statement is refused by the server's parser).
 */
export class CappedQuery extends pg.Query {
  readonly collected: Record<string, unknown>[] = [];
  private synced = false;
  private preparing = false;

  constructor(text: string, values: unknown[], cap: number) {
    super({ text, values, rows: cap + 1, queryMode: 'extended' } as pg.QueryConfig);
    this.on('row', (row: Record<string, unknown>) => {
      this.collected.push(row);
    });
  }

  /** More rows are waiting: stop here; Sync ends the portal and brings ReadyForQuery. */
  handlePortalSuspended(connection: PgConnection): void {
    this.sync(connection);
  }

  handleCommandComplete(msg: unknown, connection: PgConnection): void {
    this.synced = true; // pg.Query syncs after CommandComplete when `rows` is set
    base.handleCommandComplete.call(this, msg, connection);
  }

  handleEmptyQuery(connection: PgConnection): void {
    this.synced = true;
    base.handleEmptyQuery.call(this, connection);
  }

  prepare(connection: PgConnection): void {
    this.preparing = true; // a bind failure inside prepare syncs by itself
    try {
      base.prepare.call(this, connection);
    } finally {
      this.preparing = false;
    }
  }

  /** An ErrorResponse in the middle of a paged execute still needs a Sync to end the cycle. */
  handleError(error: Error, connection: PgConnection): void {
    if (!this.preparing) this.sync(connection);
    base.handleError.call(this, error, connection);
  }

  private sync(connection: PgConnection): void {
    if (this.synced) return;
    this.synced = true;
    connection.sync();
  }
}

/** Runs `text` on `client`, keeping at most `cap` rows; `truncated` says whether more existed. */
export function queryCapped(
  client: pg.ClientBase,
  text: string,
  values: unknown[],
  cap: number,
): Promise<{ rows: Record<string, unknown>[]; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const query = new CappedQuery(text, values, cap);
    query.on('error', reject);
    query.on('end', () => {
      const truncated = query.collected.length > cap;
      resolve({ rows: truncated ? query.collected.slice(0, cap) : query.collected, truncated });
    });
    client.query(query);
  });
}
