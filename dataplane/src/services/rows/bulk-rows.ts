import { AppError, ValidationError } from '../../platform/errors.js';
import { userColumnName } from '../../store/user-tables/names.js';
import type { TransactionRunner } from '../unit-of-work.js';
import type { WorkspaceAccess } from '../workspaces/workspace-access.js';
import { encodeCell } from '../tables/column-types.js';
import { columnLookup, encodeFields, encodeRows, type FieldsInput } from './row-values.js';
import { toRowView, type FieldKey, type RowView } from './row-view.js';
import { bulkError } from './row-problems.js';
import type { RowsService } from './rows.service.js';

export const MAX_BULK_ROWS = 10_000;

export type BulkRequest =
  | { operation: 'create'; rows: { fields: FieldsInput }[] }
  | { operation: 'update'; rows: { id: string; fields: FieldsInput; version?: number }[] }
  | { operation: 'upsert'; key: string; rows: { fields: FieldsInput }[] }
  | { operation: 'delete'; rows: { id: string; version?: number }[] };

/**
 * `POST /tables/:id/rows/bulk`: up to 10 000 rows in one transaction, all or nothing. Every row
 * is checked before anything is written; any refusal is a 422 listing each row's problems
 * (`errors: [{index, field, code, detail}]`) and nothing is written.
 */
export class BulkRows {
  constructor(
    private readonly rows: RowsService,
    private readonly tx: TransactionRunner,
  ) {}

  async run(
    access: WorkspaceAccess,
    actorId: string,
    tableId: string,
    request: BulkRequest,
    fieldKey: FieldKey,
  ): Promise<RowView[]> {
    if (request.rows.length > MAX_BULK_ROWS)
      throw new ValidationError('too many rows', [
        { path: 'rows', message: `at most ${MAX_BULK_ROWS} rows a call` },
      ]);
    return this.tx.run(actorId, async (uow) => {
      const table = await this.rows.tableFor(uow, access, tableId);
      const assertWritable = (ids: string[]) =>
        this.rows.locks.assertWritable(uow.trx, access.workspace.schemaName, tableId, ids, uow.actorId);
      const answer = (views: RowView[]) => this.rows.answerMany(uow.trx, access, table, views, fieldKey);
      switch (request.operation) {
        case 'create':
          return answer(
            await this.rows.insertRows(
              uow,
              access,
              table,
              request.rows.map((r) => r.fields),
            ),
          );
        case 'delete': {
          await assertWritable(request.rows.map((r) => r.id));
          return (await this.rows.deleteRows(uow, access, table, request.rows)).map((r) => ({
            ...r,
            fields: {},
          }));
        }
        case 'update': {
          const { encoded, problems } = encodeRows(
            table,
            request.rows.map((r) => r.fields),
            'patch',
          );
          if (problems.length > 0) throw bulkError(problems, false);
          await assertWritable(request.rows.map((r) => r.id));
          const views: RowView[] = [];
          for (const [index, row] of request.rows.entries()) {
            const e = encoded[index];
            views.push(
              await this.atIndex(index, () =>
                this.rows.updateRow(
                  uow,
                  access,
                  table,
                  row.id,
                  e?.ok ? e.fields.values : {},
                  row.version,
                  e?.ok ? e.fields.links : {},
                ),
              ),
            );
          }
          return answer(views);
        }
        case 'upsert': {
          const key = columnLookup(table)(request.key);
          if (!key || !key.unique)
            throw new ValidationError('invalid upsert key', [
              { path: 'key', message: 'must name a unique column of the table' },
            ]);
          const keyValues = request.rows.map((r, index) => {
            const value = r.fields[key.name] ?? r.fields[key.id];
            const check = encodeCell(key, value);
            if (value === undefined || value === null || !check.ok)
              throw bulkError(
                [
                  {
                    index,
                    field: key.name,
                    code: 'invalid_key',
                    detail: 'every row needs a valid key value',
                  },
                ],
                false,
              );
            return check.value;
          });
          const existing = new Map(
            (
              (await this.rows
                .rowsTable(uow.trx, access, table)
                .whereIn(userColumnName(key.id), keyValues as never[])
                .forUpdate()) as Record<string, unknown>[]
            ).map((raw) => [String(raw[userColumnName(key.id)]), raw]),
          );
          const creates: { index: number; fields: FieldsInput }[] = [];
          const views: RowView[] = [];
          for (const [index, row] of request.rows.entries()) {
            const current = existing.get(String(keyValues[index]));
            if (!current) {
              creates.push({ index, fields: row.fields });
              continue;
            }
            const encoded = encodeFields(table, row.fields, 'patch');
            if (!encoded.ok)
              throw bulkError(
                encoded.problems.map((p) => ({ index, ...p })),
                false,
              );
            const id = toRowView(table, current).id;
            views.push(
              await this.atIndex(index, () =>
                this.rows.updateRow(
                  uow,
                  access,
                  table,
                  id,
                  encoded.fields.values,
                  undefined,
                  encoded.fields.links,
                ),
              ),
            );
          }
          const created = await this.atIndexes(
            creates.map((c) => c.index),
            () =>
              this.rows.insertRows(
                uow,
                access,
                table,
                creates.map((c) => c.fields),
              ),
          );
          return answer([...views, ...created]);
        }
      }
    });
  }

  /** A single-row refusal (version conflict, missing row, bad cell) reported at its index. */
  private async atIndex<T>(index: number, write: () => Promise<T>): Promise<T> {
    return this.atIndexes([index], write);
  }

  /**
   * Runs a write over some of the request's rows (`indexes[i]` is the request index of its i-th
   * row) and reports its refusals at the request's indexes.
   */
  private async atIndexes<T>(indexes: readonly number[], write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (error instanceof ValidationError)
        throw bulkError(
          error.errors.map((p) => ({
            index: indexes[p.index ?? 0] ?? 0,
            field: p.path.replace(/^(?:fields|rows\[\d+\])\./, ''),
            code: p.code ?? error.code,
            detail: p.detail ?? p.message,
          })),
          false,
        );
      if (error instanceof AppError && (error.status === 404 || error.status === 409) && indexes.length === 1)
        throw bulkError(
          [{ index: indexes[0] ?? 0, field: 'id', code: error.code, detail: error.message }],
          false,
        );
      throw error;
    }
  }
}
