import type { Knex } from 'knex';
import type { Logger } from '../../platform/logger.js';
import type { AttachmentStores } from '../../store/attachments/attachment-stores.js';
import { claimObjectRemovals, forgetObjectRemovals } from '../../store/attachments/object-removals.js';
import { Workspace } from '../../store/models/workspace.model.js';
import { isUndefinedTable } from '../../store/pg-errors.js';
import { userTableName } from '../../store/user-tables/names.js';
import { Metadata } from '../tables/metadata.js';
import type { TransactionRunner, UnitOfWork } from '../unit-of-work.js';
import { auditRetentionCutoff } from '../workspaces/audit-retention.js';
import { referenceSources, unreferenced } from './attachment-references.js';
import { toAttachmentView, type AttachmentRow } from './attachment-view.js';

export interface SweeperOptions {
  /** How old an upload must be before no cell naming it makes it garbage. */
  graceMs: number;
  /** Files, directory entries or objects handled per transaction. */
  batchSize?: number;
}

export interface SweepResult {
  /** Unreferenced files deleted (rows, chunks, directory entries; each audited). */
  attachments: number;
  /** Directory entries of attachments that went with their table. */
  directoryEntries: number;
  /** Bucket objects deleted after their rows went. */
  objects: number;
}

const DEFAULT_BATCH = 500;
const NO_ID = '00000000-0000-0000-0000-000000000000';

type SweptRow = Pick<
  AttachmentRow,
  'id' | 'name' | 'size' | 'mime_type' | 'sha256' | 'storage' | 'storage_key'
>;

/**
 * Deletes files no one can reach any more (ADR 0014), workspace by workspace, in batches of
 * short transactions. Safe to run on several replicas at once: files and queued objects are
 * claimed FOR UPDATE SKIP LOCKED, so each is handled by one sweeper, and a batch re-checks its
 * claimed files after locking them, so a cell written meanwhile keeps its file. Idempotent: what
 * is gone is not found again.
 */
export class AttachmentSweeper {
  private readonly batchSize: number;

  constructor(
    private readonly knex: Knex,
    private readonly tx: TransactionRunner,
    private readonly stores: AttachmentStores,
    private readonly log: Logger,
    private readonly options: SweeperOptions,
  ) {
    this.batchSize = options.batchSize ?? DEFAULT_BATCH;
  }

  /** One pass over every workspace; a workspace that fails does not stop the others. */
  async sweep(now = new Date()): Promise<SweepResult> {
    const total: SweepResult = { attachments: 0, directoryEntries: 0, objects: 0 };
    const failures: unknown[] = [];
    for (const workspace of await Workspace.query(this.knex)) {
      try {
        const done = await this.sweepWorkspace(workspace, now);
        total.attachments += done.attachments;
        total.directoryEntries += done.directoryEntries;
        total.objects += done.objects;
      } catch (error) {
        failures.push(error);
      }
    }
    if (total.attachments + total.directoryEntries + total.objects > 0)
      this.log.info(total, 'attachment sweep deleted unreferenced files');
    if (failures.length > 0)
      throw new AggregateError(failures, `attachment sweep failed in ${failures.length} workspace(s)`);
    return total;
  }

  private async sweepWorkspace(workspace: Workspace, now: Date): Promise<SweepResult> {
    const olderThan = new Date(now.getTime() - this.options.graceMs);
    const auditSince = auditRetentionCutoff(workspace, now);
    const tables = (await this.knex
      .withSchema(workspace.schemaName)
      .table('attachments')
      .whereNotNull('table_id')
      .where('created_at', '<', olderThan)
      .distinct('table_id')) as { table_id: string }[];
    let attachments = 0;
    for (const { table_id: tableId } of tables)
      attachments += await this.sweepTable(workspace, tableId, olderThan, auditSince);
    return {
      attachments,
      directoryEntries: await this.forgetOrphanedEntries(workspace),
      objects: await this.removeQueuedObjects(workspace),
    };
  }

  private async sweepTable(
    workspace: Workspace,
    tableId: string,
    olderThan: Date,
    auditSince: Date,
  ): Promise<number> {
    let removed = 0;
    for (let after = NO_ID; ;) {
      const batch = await this.sweepBatch(workspace, tableId, { olderThan, auditSince, after });
      removed += batch.removed;
      if (batch.last === undefined || batch.claimed < this.batchSize) return removed;
      after = batch.last;
    }
  }

  /**
   * One transaction: the user table locked against DDL (so the columns read are the columns
   * queried), the next unreferenced files claimed, re-checked and deleted with their directory
   * entries, each deletion audited as `attachment.sweep`.
   */
  private async sweepBatch(
    workspace: Workspace,
    tableId: string,
    window: { olderThan: Date; auditSince: Date; after: string },
  ): Promise<{ claimed: number; removed: number; last?: string }> {
    const schema = workspace.schemaName;
    try {
      return await this.tx.run(null, async (uow) => {
        await uow.trx.raw('LOCK TABLE ??.?? IN ACCESS SHARE MODE', [schema, userTableName(tableId)]);
        const table = await new Metadata(uow.trx, schema).findTable(tableId, { archived: true });
        if (!table) return { claimed: 0, removed: 0 };
        const free = unreferenced(await referenceSources(uow.trx, schema, table, window.auditSince));
        const claimed = (
          (await uow.trx.raw(
            `SELECT a.id FROM ??.attachments a
             WHERE a.table_id = ? AND a.created_at < ? AND a.id > ? AND ${free.sql}
             ORDER BY a.id LIMIT ? FOR UPDATE OF a SKIP LOCKED`,
            [schema, tableId, window.olderThan, window.after, ...free.bindings, this.batchSize],
          )) as { rows: { id: string }[] }
        ).rows.map((r) => r.id);
        if (claimed.length === 0) return { claimed: 0, removed: 0 };
        // A new statement sees cells committed while the files were being claimed.
        const swept = (
          (await uow.trx.raw(
            `DELETE FROM ??.attachments a WHERE a.id = ANY(?::uuid[]) AND ${free.sql}
             RETURNING a.id, a.name, a.size, a.mime_type, a.sha256, a.storage, a.storage_key`,
            [schema, claimed, ...free.bindings],
          )) as { rows: SweptRow[] }
        ).rows;
        await this.recordSweep(uow, workspace, tableId, swept);
        return { claimed: claimed.length, removed: swept.length, last: claimed.at(-1) };
      });
    } catch (error) {
      // The table was dropped while this batch waited for it: its files went with it.
      if (isUndefinedTable(error)) return { claimed: 0, removed: 0 };
      throw error;
    }
  }

  private async recordSweep(
    uow: UnitOfWork,
    workspace: Workspace,
    tableId: string,
    swept: readonly SweptRow[],
  ): Promise<void> {
    if (swept.length === 0) return;
    await uow
      .trx('resource_directory')
      .whereIn(
        'id',
        swept.map((r) => r.id),
      )
      .delete();
    await uow.auditMany(
      swept.map((row) => ({
        workspaceId: workspace.id,
        action: 'attachment.sweep',
        resourceType: 'attachment',
        resourceId: row.id,
        parentId: tableId,
        before: { ...toAttachmentView(row), sha256: row.sha256, storage: row.storage },
      })),
      workspace.schemaName,
    );
  }

  /** Directory entries whose attachment is gone (deleted with its table or base). */
  private async forgetOrphanedEntries(workspace: Workspace): Promise<number> {
    let forgotten = 0;
    for (;;) {
      const result = (await this.knex.raw(
        `DELETE FROM resource_directory WHERE id IN (
           SELECT d.id FROM resource_directory d
           WHERE d.workspace_id = ? AND d.kind = 'attachment'
             AND NOT EXISTS (SELECT 1 FROM ??.attachments a WHERE a.id = d.id)
           LIMIT ? FOR UPDATE OF d SKIP LOCKED)`,
        [workspace.id, workspace.schemaName, this.batchSize],
      )) as { rowCount: number };
      forgotten += result.rowCount;
      if (result.rowCount < this.batchSize) return forgotten;
    }
  }

  /** Bucket objects queued as their rows went; each batch deleted, then forgotten, in one transaction. */
  private async removeQueuedObjects(workspace: Workspace): Promise<number> {
    const schema = workspace.schemaName;
    const bucket = this.stores.byKind.s3;
    if (!bucket) {
      const [waiting] = (await this.knex
        .withSchema(schema)
        .table('attachment_object_removals')
        .count('* as n')) as { n: string | number }[];
      if (Number(waiting?.n ?? 0) > 0)
        this.log.warn(
          { workspaceId: workspace.id, objects: Number(waiting?.n) },
          'bucket objects wait for deletion, but no S3 store is configured',
        );
      return 0;
    }
    let removed = 0;
    for (;;) {
      const count = await this.tx.run(null, async (uow) => {
        const files = await claimObjectRemovals(uow.trx, schema, this.batchSize);
        const scope = { db: uow.trx, schema, workspaceId: workspace.id };
        for (const file of files) await bucket.remove(scope, file);
        await forgetObjectRemovals(uow.trx, schema, files);
        return files.length;
      });
      removed += count;
      if (count < this.batchSize) return removed;
    }
  }
}
