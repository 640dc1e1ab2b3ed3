import type { Knex } from 'knex';
import type { StoredFile } from './attachment-store.js';

interface RemovalRow {
  storage_key: string;
  attachment_id: string;
}

/**
 * Bucket objects waiting to be deleted, in the workspace schema's `attachment_object_removals`
 * (migration 005). A trigger queues the object of every deleted `attachments` row; objects
 * placed for a transaction that then failed are queued here when deleting them at once failed.
 */
export async function queueObjectRemovals(
  db: Knex,
  schema: string,
  files: readonly StoredFile[],
): Promise<void> {
  const rows = files.flatMap((f) =>
    f.storageKey ? [{ storage_key: f.storageKey, attachment_id: f.id }] : [],
  );
  if (rows.length === 0) return;
  await db
    .withSchema(schema)
    .table('attachment_object_removals')
    .insert(rows)
    .onConflict('storage_key')
    .ignore();
}

/**
 * Up to `limit` queued objects, locked until the caller's transaction ends; rows another
 * transaction holds are skipped, so two sweepers never delete the same object.
 */
export async function claimObjectRemovals(
  trx: Knex.Transaction,
  schema: string,
  limit: number,
): Promise<StoredFile[]> {
  const rows = (await trx
    .withSchema(schema)
    .table('attachment_object_removals')
    .orderBy([{ column: 'queued_at' }, { column: 'storage_key' }])
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .select('storage_key', 'attachment_id')) as RemovalRow[];
  return rows.map((r) => ({ id: r.attachment_id, storageKey: r.storage_key }));
}

export async function forgetObjectRemovals(
  trx: Knex.Transaction,
  schema: string,
  files: readonly StoredFile[],
): Promise<void> {
  await trx
    .withSchema(schema)
    .table('attachment_object_removals')
    .whereIn(
      'storage_key',
      files.map((f) => f.storageKey),
    )
    .delete();
}
