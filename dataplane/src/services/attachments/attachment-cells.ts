import type { Knex } from 'knex';
import { userColumnName } from '../../store/user-tables/names.js';
import type { TableView } from '../tables/metadata.js';
import { toAttachmentView, type AttachmentRow, type AttachmentView } from './attachment-view.js';

/** A refused cell, as row writes report it (`RowProblem` of the rows service). */
export interface AttachmentCellProblem {
  index: number;
  field: string;
  code: 'invalid_attachment';
  detail: string;
}

interface Cell {
  index: number;
  field: string;
  key: string;
  ids: string[];
}

/**
 * Attachment cells may hold only files uploaded to the same table: every id a write binds is
 * looked up in one query (`attachments` of this table). With no problem, each cell is rewritten in
 * place with the server's descriptors, so names, sizes and types are the stored ones whatever the
 * client sent; otherwise the problems name the row and the column, and nothing is rewritten.
 * The files are read FOR SHARE (`db` is the write's transaction): the sweeper skips a file a
 * write is binding, and a write waiting on one the sweeper is deleting finds it gone (ADR 0014).
 */
export async function checkAttachmentCells(
  db: Knex,
  schema: string,
  table: TableView,
  rows: readonly Record<string, unknown>[],
): Promise<AttachmentCellProblem[]> {
  const cells: Cell[] = [];
  for (const column of table.columns.filter((c) => c.type === 'attachment')) {
    const key = userColumnName(column.id);
    for (const [index, row] of rows.entries()) {
      const ids = idsIn(row[key]);
      if (ids.length > 0) cells.push({ index, field: column.name, key, ids });
    }
  }
  if (cells.length === 0) return [];
  const wanted = [...new Set(cells.flatMap((c) => c.ids))];
  const found = new Map(
    (
      (await db(`${schema}.attachments`)
        .where({ table_id: table.id })
        .whereRaw('id = ANY(?::uuid[])', [wanted])
        .forShare()
        .select('id', 'name', 'size', 'mime_type')) as AttachmentRow[]
    ).map((row): [string, AttachmentView] => [row.id, toAttachmentView(row)]),
  );
  const problems = cells.flatMap((cell): AttachmentCellProblem[] => {
    const missing = cell.ids.find((id) => !found.has(id));
    return missing === undefined
      ? []
      : [
          {
            index: cell.index,
            field: cell.field,
            code: 'invalid_attachment',
            detail: `attachment ${missing} was not uploaded to this table`,
          },
        ];
  });
  if (problems.length > 0) return problems;
  for (const cell of cells) {
    const row = rows[cell.index] as Record<string, unknown>;
    row[cell.key] = JSON.stringify(cell.ids.map((id) => found.get(id)));
  }
  return [];
}

/** The attachment ids of a bound cell: the JSON text the attachment encoder made, or null. */
function idsIn(bound: unknown): string[] {
  const descriptors: unknown = typeof bound === 'string' ? JSON.parse(bound) : bound;
  if (!Array.isArray(descriptors)) return [];
  return descriptors.map((d) => String((d as { id: unknown }).id).toLowerCase());
}
