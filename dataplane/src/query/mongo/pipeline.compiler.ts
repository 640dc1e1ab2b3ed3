import type { Document } from 'bson';
import type { Catalog } from '../catalog.js';
import { termNullable, termType, type AnalyzedQuery, type Term } from '../plan.js';
import { analyzeQuery } from '../validate.js';
import { compileComputed } from './computed.compiler.js';
import { compileFilter, type StagedMatch } from './filter.compiler.js';
import { compileGroup } from './group.compiler.js';
import { compileJoins } from './join.compiler.js';
import { cursorFingerprint, decodeCursor, sortKey, sortStages, type SortKey } from './keyset.js';
import type { FieldPaths } from './paths.js';
import type { MongoPlan, OutputColumn } from './plan.js';

/**
 * A logical query → one aggregation pipeline over the source collection, in this order:
 *   $match (source fields) → $lookup/$unwind per join → $match (joined fields) → $addFields per
 *   computed column → $match (computed fields) → [$group] → sort helpers, keyset $match, $sort
 *   → $skip (offset) → $limit (limit + 1) → $project onto slots.
 * The query is validated and analysed by validateQuery (422 with paths), exactly as for SQL.
 */
export interface MongoCompileOptions {
  /** The instant date helpers see. Default: now. */
  now?: Date;
  /** The connection's row cap: a page never holds more rows. */
  maxRows?: number;
}

function matchStages(matches: StagedMatch[], stage: number): Document[] {
  return matches.filter((m) => m.stage === stage).map((m) => ({ $match: m.match }));
}

/** How terms read at the sorting stage: stored paths for rows, group paths for groups. */
type TermPath = (term: Term, use: string) => string;

/**
 * Whether a sort key can be null or missing. Discovery samples documents, so only `_id` (always
 * present) is trusted to be set — and not for a left join, where the joined document may be absent.
 */
function keyNullable(plan: AnalyzedQuery, term: Term): boolean {
  if (plan.grouped || term.kind === 'aggregate') return termNullable(term);
  const { target } = term.field;
  if (target.kind !== 'column' || target.column.name !== '_id') return true;
  return target.table > 0 && plan.joins[target.table - 1]?.type === 'left';
}

function orderKeys(plan: AnalyzedQuery, pathOf: TermPath): SortKey[] {
  return plan.orderKeys.map((k, i) => {
    const nullable = keyNullable(plan, k.term);
    return sortKey(
      i,
      pathOf(k.term, 'sorts'),
      k.direction === 'desc' ? -1 : 1,
      nullable,
      !plan.grouped && nullable,
    );
  });
}

function fingerprint(plan: AnalyzedQuery): string {
  const order = plan.orderKeys.map((k) => [
    k.term.kind === 'field' ? ['f', k.term.field.ref] : ['a', k.term.fn, k.term.field?.ref ?? null],
    k.direction,
  ]);
  const joins = plan.joins.map((j) => [j.alias, j.table.name, j.type]);
  return cursorFingerprint([
    'mongodb',
    plan.source.schema ?? null,
    plan.source.name,
    joins,
    plan.grouped,
    order,
  ]);
}

export function compileMongoPipeline(
  query: unknown,
  catalog: Catalog,
  options: MongoCompileOptions = {},
): MongoPlan {
  return compileAnalyzed(analyzeQuery(query, catalog), options);
}

export function compileAnalyzed(plan: AnalyzedQuery, options: MongoCompileOptions = {}): MongoPlan {
  const computed = compileComputed(plan);
  const paths: FieldPaths = computed.paths;
  const matches = compileFilter(plan.filter, paths, options.now ?? new Date());
  const pipeline: Document[] = [
    ...matchStages(matches, 0),
    ...compileJoins(plan.joins, plan.source, paths),
    ...matchStages(matches, 1),
    ...computed.stages,
    ...matchStages(matches, 2),
  ];
  let termPath: TermPath = (term, use) => (term.kind === 'field' ? paths.required(term.field, use) : '');
  if (plan.grouped) {
    const group = compileGroup(plan, paths);
    pipeline.push(...group.stages);
    termPath = group.pathOf;
  }
  const keys = orderKeys(plan, termPath);
  const page = plan.pagination;
  const print = fingerprint(plan);
  const cursor =
    page.mode === 'keyset' && page.cursor !== undefined
      ? decodeCursor(page.cursor, print, keys.length)
      : undefined;
  pipeline.push(...sortStages(keys, cursor));
  if (page.mode === 'offset' && page.offset > 0) pipeline.push({ $skip: page.offset });
  const limit = Math.max(1, Math.min(page.limit, options.maxRows ?? Infinity));
  pipeline.push({ $limit: limit + 1 });

  const project: Document = { _id: 0 };
  const columns: OutputColumn[] = plan.outputs.map((o, i) => {
    const path =
      o.term.kind === 'field' && !plan.grouped ? paths.pathOf(o.term.field) : termPath(o.term, 'select');
    if (path !== null) project[`o${i}`] = `$${path}`;
    return { name: o.name, type: termType(o.term), ...(path !== null ? { slot: `o${i}` } : {}) };
  });
  const unslotted = new Set(columns.filter((c) => c.slot === undefined).map((c) => c.name));
  const inProcess = computed.inProcess.filter((c) => unslotted.has(c.name));
  inProcess
    .flatMap((c) => c.inputs)
    .forEach((input, i) => {
      input.slot = `i${i}`;
      project[input.slot] = `$${input.path}`;
    });
  const keySlots = page.mode === 'keyset' ? keys.map((_, i) => `k${i}`) : [];
  keySlots.forEach((slot, i) => (project[slot] = `$${(keys[i] as SortKey).path}`));
  pipeline.push({ $project: project });

  return {
    database: plan.source.schema,
    collection: plan.source.name,
    pipeline,
    columns,
    inProcess,
    limit,
    ...(page.mode === 'keyset' ? { keyset: { fingerprint: print, slots: keySlots } } : {}),
    ...(plan.grouped && plan.groupFields.length === 0 ? { emptyGroupRow: emptyAggregates(plan) } : {}),
    pushedDown: pushedDown(plan, computed.pushedDown),
    inProcessParts: inProcess.map((c) => `computed:${c.name}`),
  };
}

function pushedDown(plan: AnalyzedQuery, computed: string[]): string[] {
  const parts = ['source'];
  if (plan.joins.length > 0) parts.push('joins');
  if (plan.filter) parts.push('filter');
  parts.push(...computed);
  if (plan.grouped) parts.push('groupBy');
  if (plan.orderKeys.length > 0) parts.push('sorts');
  parts.push(`pagination:${plan.pagination.mode}`);
  return parts;
}

/** The row `GROUP BY ()` answers for no input: counts are 0, other aggregates null. */
function emptyAggregates(plan: AnalyzedQuery): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const { name, term } of plan.outputs) {
    const value =
      term.kind === 'aggregate' && (term.fn === 'count' || term.fn === 'countDistinct') ? 0 : null;
    Object.defineProperty(row, name, { value, enumerable: true, writable: true, configurable: true });
  }
  return row;
}
