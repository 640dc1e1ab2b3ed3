import type { Knex } from 'knex';
import { ConflictError } from '../../platform/errors.js';

export interface RowLock {
  rowId: string;
  holderId: string;
  expiresAt: string;
}

/**
 * Advisory row locks for multi-step edits: a holder takes a row for a while (TTL); other writers
 * get 409 `row_locked` until it is released or expires. Kept in the workspace's `row_locks`.
 */
export class RowLocks {
  async acquire(
    db: Knex,
    schema: string,
    tableId: string,
    rowId: string,
    holderId: string,
    ttlSeconds: number,
  ): Promise<RowLock> {
    const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
    // Taken when free, expired, or already ours (a renewal); otherwise the current holder answers.
    const taken = (await db.raw(
      `INSERT INTO ??.row_locks (table_id, row_id, holder_id, expires_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (table_id, row_id) DO UPDATE SET holder_id = EXCLUDED.holder_id, expires_at = EXCLUDED.expires_at
       WHERE row_locks.expires_at <= now() OR row_locks.holder_id = EXCLUDED.holder_id
       RETURNING holder_id, expires_at`,
      [schema, tableId, rowId, holderId, expiresAt],
    )) as { rows: { holder_id: string; expires_at: Date }[] };
    const row = taken.rows[0];
    if (!row) throw new ConflictError('Another user holds a lock on this row', 'row_locked');
    return { rowId, holderId: row.holder_id, expiresAt: row.expires_at.toISOString() };
  }

  async release(
    db: Knex,
    schema: string,
    tableId: string,
    rowId: string,
    holderId: string,
  ): Promise<boolean> {
    const removed = await db
      .withSchema(schema)
      .table('row_locks')
      .where({ table_id: tableId, row_id: rowId, holder_id: holderId })
      .delete();
    return removed > 0;
  }

  /** Refuses a write to rows someone else holds. */
  async assertWritable(
    db: Knex,
    schema: string,
    tableId: string,
    rowIds: readonly string[],
    actorId: string | null,
  ): Promise<void> {
    const held = (await db
      .withSchema(schema)
      .table('row_locks')
      .where({ table_id: tableId })
      .whereIn('row_id', rowIds)
      .where('expires_at', '>', db.fn.now())
      .modify((q) => {
        if (actorId) void q.whereNot({ holder_id: actorId });
      })
      .first('row_id')) as { row_id: string } | undefined;
    if (held) throw new ConflictError(`Row ${held.row_id} is locked by another user`, 'row_locked');
  }
}
