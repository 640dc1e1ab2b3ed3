import { ValidationError } from '../../platform/errors.js';
import { analyzeQuery } from '../../query/validate.js';
import { linkTargets } from './link-targets.js';
import type { Metadata, TableView } from './metadata.js';
import { SYSTEM_FIELDS, tableSource } from './table-catalog.js';

/**
 * Type-checks the formula columns of `table` as it would be after a change, against its other
 * columns, by validating the query every read would run. A bad formula is a 422 whose path
 * names the column (`columns[<name>].options.formula`) and whose message has the error's span.
 */
export async function checkFormulas(
  meta: Metadata,
  table: TableView,
  pathOf: (columnName: string) => string,
): Promise<void> {
  const { catalog, source, computed } = tableSource(meta.schema, table, await linkTargets(meta, table));
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
