import { ValidationError } from '../../platform/errors.js';
import { analyzeQuery } from '../../query/validate.js';
import type { TableView } from './metadata.js';
import { SYSTEM_FIELDS, tableSource } from './table-catalog.js';

/**
 * Type-checks the formula columns of `table` as it would be after a change, against its other
 * columns, by validating the query every read would run. A bad formula is a 422 whose path
 * names the column (`columns[<name>].options.formula`) and whose message has the error's span.
 */
export function checkFormulas(
  schema: string,
  table: TableView,
  pathOf: (columnName: string) => string,
): void {
  const { catalog, source, computed } = tableSource(schema, table);
  if (computed.length === 0) return;
  try {
    analyzeQuery(
      {
        source,
        select: [SYSTEM_FIELDS.id],
        computedColumns: computed,
        pagination: { mode: 'keyset', limit: 1 },
      },
      catalog,
    );
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new ValidationError(
      'invalid formula',
      error.errors.map((problem) => {
        const match = /^computedColumns\[(\d+)\]/.exec(problem.path);
        const column = match ? computed[Number(match[1])] : undefined;
        return column
          ? { path: `${pathOf(column.name)}.options.formula`, message: problem.message }
          : problem;
      }),
    );
  }
}
