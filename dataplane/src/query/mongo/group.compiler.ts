import type { Document } from 'bson';
import type { AggregateFn } from '../lqp.js';
import type { AnalyzedQuery, ResolvedField, Term } from '../plan.js';
import { sameField } from '../validate-shape.js';
import { INTERNAL_PREFIX, type FieldPaths } from './paths.js';

/**
 * groupBy → `$group`. Group keys are normalised with `$ifNull` (a missing field and a null one
 * form one group, as NULL does in SQL) under `_id.gN`; aggregates land in `__lt_aN`. They follow
 * SQL: nulls are skipped, `count` without a field counts rows, `sum` of no numbers is null,
 * `countDistinct` ignores null.
 */
export interface CompiledGroup {
  stages: Document[];
  /** The path of a term (group field or aggregate) after the group stage. */
  pathOf(term: Term): string;
}

type AggregateTerm = Extract<Term, { kind: 'aggregate' }>;
const NUMBER_TYPES = ['int', 'long', 'double', 'decimal'];

function accumulate(
  fn: AggregateFn,
  out: string,
  path: string | undefined,
): { group: Document; finish?: Document } {
  const ref = `$${path}`;
  switch (fn) {
    case 'count':
      return {
        group: {
          [out]:
            path === undefined
              ? { $sum: 1 }
              : { $sum: { $cond: [{ $eq: [{ $ifNull: [ref, null] }, null] }, 0, 1] } },
        },
      };
    case 'countDistinct':
      return {
        group: { [out]: { $addToSet: ref } },
        finish: { [out]: { $size: { $filter: { input: `$${out}`, cond: { $ne: ['$$this', null] } } } } },
      };
    case 'sum':
      return {
        group: {
          [out]: { $sum: ref },
          [`${out}_n`]: { $sum: { $cond: [{ $in: [{ $type: ref }, NUMBER_TYPES] }, 1, 0] } },
        },
        finish: { [out]: { $cond: [{ $gt: [`$${out}_n`, 0] }, `$${out}`, null] } },
      };
    case 'avg':
      return { group: { [out]: { $avg: ref } } };
    case 'min':
      return { group: { [out]: { $min: ref } } };
    case 'max':
      return { group: { [out]: { $max: ref } } };
  }
}

export function compileGroup(plan: AnalyzedQuery, paths: FieldPaths): CompiledGroup {
  const fields: readonly ResolvedField[] = plan.groupFields;
  const id =
    fields.length === 0
      ? null
      : Object.fromEntries(
          fields.map((f, i) => [`g${i}`, { $ifNull: [`$${paths.required(f, 'groupBy')}`, null] }]),
        );
  const group: Document = { _id: id };
  const finish: Document = {};
  const aggregates = new Map<AggregateTerm, string>();
  for (const term of [...plan.outputs.map((o) => o.term), ...plan.orderKeys.map((k) => k.term)]) {
    if (term.kind !== 'aggregate' || aggregates.has(term)) continue;
    const slot = `${INTERNAL_PREFIX}a${aggregates.size}`;
    aggregates.set(term, slot);
    const parts = accumulate(term.fn, slot, term.field && paths.required(term.field, 'groupBy'));
    Object.assign(group, parts.group);
    Object.assign(finish, parts.finish ?? {});
  }
  const stages: Document[] = [{ $group: group }];
  if (Object.keys(finish).length > 0) stages.push({ $addFields: finish });
  return {
    stages,
    pathOf: (term) => {
      if (term.kind === 'aggregate') return aggregates.get(term) as string;
      return `_id.g${fields.findIndex((f) => sameField(f, term.field))}`;
    },
  };
}
