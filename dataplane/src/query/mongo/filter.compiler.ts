import type { Document } from 'bson';
import { assertNever, type FilterNode, type ResolvedField } from '../plan.js';
import { dateCondition } from './dates.js';
import { FieldPaths, type Stage } from './paths.js';
import { textPattern } from './regex.js';
import { invalid, isArrayField, isObjectIdField, toBson } from './values.js';

/**
 * The analysed filter tree → `$match` documents, with the SQL compilers' semantics:
 *  - a comparison with a null or missing field is false; `neq`, `nin` and `ncontains` keep
 *    null and missing fields (they mean "is not"), as `$ne`, `$nin` and `$not` do;
 *  - `isEmpty` is null or missing (and '' for text, [] for arrays); `isNotEmpty` its negation;
 *  - text operators are case-insensitive and match the text literally (escaped regex);
 *  - `not` is the exact complement (`$nor`), empty `and` matches all, empty `or` nothing.
 * The top-level conjunction is split by the stage each part needs, so a condition on the
 * source runs before any `$lookup`, one on a joined field after it.
 */
export const MATCH_NOTHING: Document = Object.freeze({ $expr: false });

export interface StagedMatch {
  stage: Stage;
  match: Document;
}

interface Ctx {
  paths: FieldPaths;
  now: Date;
}

function fieldPath(ctx: Ctx, field: ResolvedField): string {
  return ctx.paths.required(field, 'filter');
}

function regex(field: ResolvedField, match: 'contains' | 'startsWith' | 'endsWith', text: string): Document {
  if (isObjectIdField(field))
    throw invalid('filter', `text operators do not apply to the ObjectId field ${JSON.stringify(field.ref)}`);
  return { $regex: textPattern(match, text), $options: 'i' };
}

function empty(ctx: Ctx, field: ResolvedField): Document {
  const path = fieldPath(ctx, field);
  const blank = { [path]: field.type === 'text' ? { $in: [null, ''] } : null };
  return isArrayField(field) ? { $or: [blank, { [path]: { $size: 0 } }] } : blank;
}

const COMPARE = { eq: '$eq', neq: '$ne', lt: '$lt', lte: '$lte', gt: '$gt', gte: '$gte' } as const;

function compileNode(node: FilterNode, ctx: Ctx): Document {
  switch (node.kind) {
    case 'and':
    case 'or': {
      const items = node.items.map((item) => compileNode(item, ctx));
      if (items.length === 0) return node.kind === 'and' ? {} : MATCH_NOTHING;
      return items.length === 1 ? (items[0] as Document) : { [`$${node.kind}`]: items };
    }
    case 'not':
      return { $nor: [compileNode(node.item, ctx)] };
    case 'compare':
      return { [fieldPath(ctx, node.field)]: { [COMPARE[node.op]]: toBson(node.value, node.field) } };
    case 'list':
      return {
        [fieldPath(ctx, node.field)]: { [`$${node.op}`]: node.values.map((v) => toBson(v, node.field)) },
      };
    case 'text': {
      const path = fieldPath(ctx, node.field);
      if (node.op === 'ncontains') return { [path]: { $not: regex(node.field, 'contains', node.value) } };
      return { [path]: regex(node.field, node.op, node.value) };
    }
    case 'empty':
      return node.op === 'isEmpty' ? empty(ctx, node.field) : { $nor: [empty(ctx, node.field)] };
    case 'range':
      return {
        [fieldPath(ctx, node.field)]: {
          $gte: toBson(node.low, node.field),
          $lte: toBson(node.high, node.field),
        },
      };
    case 'relativeDate':
    case 'days':
      return { [fieldPath(ctx, node.field)]: dateCondition(node, ctx.now) };
    default:
      return assertNever(node);
  }
}

/** The latest stage any field of `node` needs. */
function stageOf(node: FilterNode): Stage {
  switch (node.kind) {
    case 'and':
    case 'or':
      return Math.max(0, ...node.items.map(stageOf)) as Stage;
    case 'not':
      return stageOf(node.item);
    default:
      return FieldPaths.stageOf(node.field);
  }
}

function conjuncts(node: FilterNode): FilterNode[] {
  return node.kind === 'and' ? node.items.flatMap(conjuncts) : [node];
}

/** One `$match` per stage that has conditions, in stage order. */
export function compileFilter(node: FilterNode | undefined, paths: FieldPaths, now: Date): StagedMatch[] {
  if (!node) return [];
  const byStage = new Map<Stage, Document[]>();
  for (const part of conjuncts(node)) {
    const stage = stageOf(part);
    byStage.set(stage, [...(byStage.get(stage) ?? []), compileNode(part, { paths, now })]);
  }
  return [...byStage.entries()]
    .sort(([a], [b]) => a - b)
    .map(([stage, matches]) => ({
      stage,
      match: matches.length === 1 ? (matches[0] as Document) : { $and: matches },
    }));
}
