import type { Logger } from '../platform/logger.js';
import type { ViewChanges, ViewChangeShape } from '../services/views/view-changes.js';
import type { RoomBroadcast } from './change-feed.js';
import type { ChangedRow, DataUpdate, HeardRow, RowOp } from './realtime-events.js';
import type { StreamSequences } from './stream-sequences.js';
import type { ViewInterest } from './view-interest.js';

/**
 * View subscriptions (ADR 0023): from a table's batch, what each subscribed view's room
 * receives. A change of the view's source rows becomes the view's own `data:update`: a row now
 * in the view (asked of the database, so formulas, joins and lookups count) arrives as it shows
 * there, as an `insert` if it was not in the view before (judged in process from its earlier
 * fields by the view's filter) or an `update`; a row no longer in it that was before arrives as a
 * `delete`; a row in it neither before nor after is not sent. Where the earlier state cannot be
 * judged (a filter over formulas or joined tables, a write that did not say), a row now in the
 * view comes as an `update` and one not in it as a `delete`: clients upsert and ignore deletes of
 * rows they do not hold. A change of another table the view reads (a joined or linked table),
 * and any change of a grouped view, is `view:changed`: fetch the view again.
 */
export class ViewFeed {
  constructor(
    private readonly changes: ViewChanges,
    private readonly interest: ViewInterest,
    private readonly sequences: StreamSequences,
    private readonly broadcast: RoomBroadcast,
    private readonly log: Logger,
  ) {}

  async onTableBatch(workspaceId: string, update: DataUpdate, rows: readonly HeardRow[]): Promise<void> {
    for (const viewId of await this.interest.views(workspaceId)) {
      try {
        const shape = await this.changes.shape(workspaceId, viewId);
        if (shape?.readsTables.includes(update.tableId)) await this.derive(workspaceId, shape, update, rows);
      } catch (error) {
        this.log.error({ err: error, workspaceId, viewId }, 'view subscription event not sent');
      }
    }
  }

  private async derive(
    workspaceId: string,
    shape: ViewChangeShape,
    update: DataUpdate,
    rows: readonly HeardRow[],
  ): Promise<void> {
    const room = `view:${shape.viewId}`;
    if (shape.rowSource !== update.tableId) {
      const { tableId, actor, at } = update;
      const numbered = await this.sequences.next(room);
      return this.broadcast.toRoom(workspaceId, room, 'view:changed', {
        viewId: shape.viewId,
        tableId,
        actor,
        at,
        ...numbered,
      });
    }
    const now =
      update.op === 'delete'
        ? []
        : await this.changes.rowsNow(
            workspaceId,
            shape.viewId,
            rows.map((r) => r.id),
          );
    const inView = new Map(now.map((row) => [row.id, row]));
    const at = new Date(update.at);
    const byOp: Record<RowOp, ChangedRow[]> = { delete: [], insert: [], update: [] };
    for (const row of rows) {
      const before = update.op === 'insert' ? false : this.wasIn(shape, row, at);
      const shown = inView.get(row.id);
      if (shown)
        byOp[before === false ? 'insert' : 'update'].push({
          id: row.id,
          version: row.version,
          fields: shown.fields,
        });
      else if (before !== false) byOp.delete.push({ id: row.id, version: row.version, fields: {} });
    }
    // Numbered only when sent: a batch with nothing for the view leaves no gap.
    for (const op of ['delete', 'insert', 'update'] as const) {
      if (byOp[op].length === 0) continue;
      const numbered = await this.sequences.next(room);
      await this.broadcast.toRoom(workspaceId, room, 'data:update', {
        ...update,
        viewId: shape.viewId,
        op,
        rows: byOp[op],
        ...numbered,
      });
    }
  }

  /** Whether the row was in the view before its change: true, false or 'unknown'. */
  private wasIn(shape: ViewChangeShape, row: HeardRow, now: Date): boolean | 'unknown' {
    if (!row.before || !shape.filter.evaluable) return 'unknown';
    return shape.filter.matches({ ...row.before, '@id': row.id }, now);
  }
}
