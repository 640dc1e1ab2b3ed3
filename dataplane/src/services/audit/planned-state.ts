import { hasOwn } from '../../platform/own-property.js';
import { userColumnName } from '../../store/user-tables/names.js';
import { trashedColumnName } from '../../store/user-tables/trash.js';
import { auditState, toRowView } from '../rows/row-view.js';
import type { Column } from '../tables/column.js';
import { isStoredType } from '../tables/column-types.js';
import type { TableView } from '../tables/metadata.js';
import type { RowState } from './row-state.js';
import { undoneTable, type SchemaUndo } from './schema-revert.js';

/** A physical row as the driver returns it: every column, trashed ones (`d_<id>`) included. */
export type StoredRow = Record<string, unknown>;

/** Where a plan reads: plain reads for a dry run, locked ones inside the write. */
export interface PlanReader {
  table(tableId: string): Promise<TableView>;
  row(table: TableView, rowId: string): Promise<StoredRow | undefined>;
  /** 409 `data_purged` when a deleted column's data is no longer kept. */
  assertDataKept(tableId: string, column: Column): Promise<void>;
  /** The column services' checks that need no write, on the table as an undo leaves it. */
  checkUndoneTable(undo: SchemaUndo, after: TableView): Promise<void>;
}

interface TrackedRow {
  tableId: string;
  state: RowState | null;
  /** The row as stored before the batch; dropped once the plan deletes it (a new row has no trash). */
  stored: StoredRow | undefined;
  /** Values of the row's columns the plan has deleted: restoring a column brings them back. */
  trashed: Map<string, unknown>;
}

/**
 * The tables and rows of a batch as the changes planned so far leave them. Each table and row
 * is read once; after that the plan's own changes are the truth. A schema change carries the
 * data along as the database would: a deleted column's values go to the trash with it, and
 * come back when the column is restored (from the rows as stored, or as the plan left them).
 */
export class PlannedState {
  private readonly tables = new Map<string, TableView>();
  private readonly rows = new Map<string, TrackedRow>();
  private readonly deletions = new Map<string, string>();

  constructor(readonly reader: PlanReader) {}

  async table(tableId: string): Promise<TableView> {
    const known = this.tables.get(tableId);
    if (known) return known;
    const table = await this.reader.table(tableId);
    this.tables.set(tableId, table);
    return table;
  }

  async row(table: TableView, rowId: string): Promise<RowState | null> {
    const known = this.rows.get(rowId);
    if (known) return known.state;
    const stored = await this.reader.row(table, rowId);
    const state = stored ? stateOf(table, stored) : null;
    this.rows.set(rowId, { tableId: table.id, state, stored, trashed: new Map() });
    return state;
  }

  /** The row after a planned change (read with `row` first). */
  setRow(rowId: string, state: RowState | null): void {
    const tracked = this.rows.get(rowId);
    if (!tracked) throw new Error(`row ${rowId} is planned before it is read`);
    tracked.state = state;
    if (!state) {
      tracked.stored = undefined;
      tracked.trashed.clear();
    }
  }

  /** The table after a planned schema change, and its rows' values moved along with it. */
  setTable(table: TableView, undo: SchemaUndo, auditLogId: string): void {
    this.tables.set(table.id, undoneTable(table, undo));
    if (undo.action === 'column.delete') {
      this.deletions.set(undo.from.id, auditLogId);
      this.eachRow(table.id, (tracked, state) => {
        const { [undo.from.id]: value, ...rest } = state.fields;
        if (hasOwn(state.fields, undo.from.id)) tracked.trashed.set(undo.from.id, value);
        tracked.state = { ...state, fields: rest };
      });
    }
    if (undo.action === 'column.restore' && isStoredType(undo.to.type)) {
      const column = undo.to;
      this.deletions.delete(column.id);
      this.eachRow(table.id, (tracked, state) => {
        const value = tracked.trashed.has(column.id)
          ? tracked.trashed.get(column.id)
          : tracked.stored
            ? storedValue(table, column, tracked.stored)
            : null;
        tracked.trashed.delete(column.id);
        tracked.state = { ...state, fields: { ...state.fields, [column.id]: value } };
      });
    }
  }

  /** The entry whose undo deletes this column earlier in the batch, if one does. */
  deletedBy(columnId: string): string | undefined {
    return this.deletions.get(columnId);
  }

  private eachRow(tableId: string, change: (tracked: TrackedRow, state: RowState) => void): void {
    for (const tracked of this.rows.values())
      if (tracked.tableId === tableId && tracked.state) change(tracked, tracked.state);
  }
}

/**
 * The audited state of a stored row for the table as planned: a column the plan has restored is
 * still trashed in the database, so its values are read from `d_<id>`.
 */
function stateOf(table: TableView, stored: StoredRow): RowState {
  const physical = { ...stored };
  for (const column of table.columns) {
    const live = userColumnName(column.id);
    const trashed = trashedColumnName(column.id);
    if (!hasOwn(physical, live) && hasOwn(physical, trashed)) physical[live] = physical[trashed];
  }
  return auditState(table, toRowView(table, physical));
}

function storedValue(table: TableView, column: Column, stored: StoredRow): unknown {
  return stateOf({ ...table, columns: [column] }, stored).fields[column.id] ?? null;
}
