import type { Document } from 'bson';
import type { CatalogTable } from '../catalog.js';
import type { AnalyzedJoin } from '../plan.js';
import { columnPath, joinSlot, type FieldPaths } from './paths.js';
import { invalid } from './values.js';

/**
 * Joins → `$lookup` + `$unwind`, one pair per join, in order, so a later join can start from an
 * earlier one (multi-hop). The joined document is unwound into `__lt_jN` (never the alias, so an
 * alias cannot overwrite a field). Equality follows SQL: a null or missing key matches nothing
 * (the plain `localField` form would match every document missing the foreign field). Inner
 * joins drop unmatched rows; left joins keep them (`preserveNullAndEmptyArrays`).
 */
export function compileJoins(
  joins: readonly AnalyzedJoin[],
  source: CatalogTable,
  paths: FieldPaths,
): Document[] {
  return joins.flatMap((join, i) => {
    if (
      join.table.schema !== undefined &&
      source.schema !== undefined &&
      join.table.schema !== source.schema
    ) {
      throw invalid(`joins[${i}].schema`, 'MongoDB joins stay inside the source database');
    }
    const left = paths.required(join.left, `joins[${i}].on.left`);
    const right = columnPath(0, join.right.name);
    const as = joinSlot(join.index);
    return [
      {
        $lookup: {
          from: join.table.name,
          let: { key: { $ifNull: [`$${left}`, null] } },
          pipeline: [
            { $match: { $expr: { $and: [{ $ne: ['$$key', null] }, { $eq: [`$${right}`, '$$key'] }] } } },
          ],
          as,
        },
      },
      { $unwind: { path: `$${as}`, preserveNullAndEmptyArrays: join.type === 'left' } },
    ];
  });
}
