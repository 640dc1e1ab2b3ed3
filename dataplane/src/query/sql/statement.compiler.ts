import { sqlNameOf, type CatalogColumn, type LogicalType } from '../catalog.js';
import { FieldScope } from '../field-scope.js';
import { cursorFingerprint, type CursorKey, type CursorValue } from '../keyset-cursor.js';
import { termNullable, termType, type AnalyzedQuery, type ResolvedField, type Term } from '../plan.js';
import { sameField } from '../validate-shape.js';
import type { SqlDialect } from './dialect.js';
import { compileFilter } from './filter.compiler.js';
import { formulaSql } from './formula-sql.js';
import { afterCursor, afterCursorBranches, orderByClause } from './keyset.compiler.js';
import { joinSql, keyword, parens, sql, type SqlFragment } from './sql-fragment.js';
import { Terms, type AggregateTerm, type KeyColumn } from './terms.js';

export interface StatementColumn {
  /** The compiler's own column alias (`o0`, `k0`): the only names the statement invents. */
  alias: string;
  name: string;
  type: LogicalType;
}

export interface StatementPlan {
  statement: SqlFragment;
  outputs: StatementColumn[];
  /** Keyset mode: the sort keys selected for the next cursor, in order. */
  cursorKeys: (StatementColumn & CursorKey)[];
  limit: number;
  fingerprint: string;
}

/** Everything `decodeKeysetCursor` needs to accept a cursor for this plan. */
export function cursorSpec(
  plan: AnalyzedQuery,
  dialect: SqlDialect,
): { fingerprint: string; keys: CursorKey[] } {
  const order = plan.orderKeys.map((k) => [describe(plan, k.term), k.direction]);
  const source = [plan.source.schema ?? null, plan.source.name];
  const joins = plan.joins.map((j) => [j.alias, j.table.schema ?? null, j.table.name, j.type]);
  return {
    fingerprint: cursorFingerprint([dialect.name, source, joins, plan.grouped, order]),
    keys: plan.orderKeys.map((k) => ({ type: termType(k.term), nullable: termNullable(k.term) })),
  };
}

/** What a sort key is, for the fingerprint: a field (a computed one by its formula) or an aggregate. */
function describe(plan: AnalyzedQuery, t: Term): unknown[] {
  if (t.kind === 'aggregate') return ['a', t.fn, t.field?.ref ?? null];
  const formula = t.field.target.kind === 'computed' ? plan.computed[t.field.target.index]?.formula : null;
  return ['f', t.field.ref, t.field.type, formula ?? null];
}

/**
 * SELECT outputs AS o<i>, cursor keys AS k<i> FROM source AS t0 JOIN ... AS t<i> WHERE filter
 * [AND after-cursor] ORDER BY keys LIMIT limit+1 [OFFSET n]. Grouped queries select, order and
 * page over a grouped derived table (see groupedBody).
 */
export function compileStatement(
  plan: AnalyzedQuery,
  d: SqlDialect,
  cursor: CursorValue[] | undefined,
): StatementPlan {
  const rowTerms = new Terms(d, rowFieldRenderer(plan, d));
  const from = fromClause(plan, d, rowTerms);
  const where = plan.filter && compileFilter(plan.filter, rowTerms);
  const body = plan.grouped ? groupedBody(plan, d, rowTerms, from, where) : { terms: rowTerms, from, where };
  const keys = plan.orderKeys.map((k) => body.terms.keyColumn(k));
  const after = cursor && afterCursor(keys, cursor, d);

  const outputs = plan.outputs.map((o, i) => ({ alias: `o${i}`, name: o.name, type: termType(o.term) }));
  const selected = plan.outputs.map((o, i) => sql`${body.terms.output(o.term)} AS ${d.identifier(`o${i}`)}`);
  const keyset = plan.pagination.mode === 'keyset';
  // A sort key that is also an output is read from that column (same value in both forms);
  // the others are selected once more as k<i>.
  const cursorKeys = keyset
    ? keys.map((k, i) => {
        const output =
          k.type === 'binary' ? -1 : plan.outputs.findIndex((o) => sameTerm(o.term, plan.orderKeys[i]!.term));
        const alias = output >= 0 ? `o${output}` : `k${i}`;
        return { alias, name: alias, type: k.type, nullable: k.nullable };
      })
    : [];
  const keyOutputs = cursorKeys.flatMap((k, i) =>
    k.alias.startsWith('k') ? [sql`${d.keyOutput(k.type, keys[i]!.key)} AS ${d.identifier(k.alias)}`] : [],
  );

  const { limit } = plan.pagination;
  const branches = cursor && !plan.grouped ? afterCursorBranches(keys, cursor, d) : undefined;
  const statement = branches
    ? seekStatement({ d, keys, limit, from: body.from, where: body.where, branches }, [
        ...selected,
        ...keyOutputs,
      ])
    : joinSql(
        [
          sql`SELECT ${joinSql([...selected, ...keyOutputs], ', ')}`,
          body.from,
          ...whereClause([body.where, after]),
          ...(orderByClause(keys, d) ? [orderByClause(keys, d) as SqlFragment] : []),
          d.limit(limit + 1, plan.pagination.mode === 'offset' ? plan.pagination.offset : undefined),
        ],
        ' ',
      );
  return {
    statement,
    outputs,
    cursorKeys,
    limit,
    fingerprint: cursorSpec(plan, d).fingerprint,
  };
}

function whereClause(conditions: readonly (SqlFragment | undefined)[]): SqlFragment[] {
  const present = conditions.filter((c): c is SqlFragment => c !== undefined);
  return present.length > 0 ? [sql`WHERE ${joinSql(present, ' AND ')}`] : [];
}

interface SeekParts {
  d: SqlDialect;
  keys: readonly KeyColumn[];
  limit: number;
  from: SqlFragment;
  where: SqlFragment | undefined;
  branches: readonly SqlFragment[];
}

/**
 * A keyset continuation as one page per seek branch (each ordered and limited on its own, so
 * each is an index range scan) merged in key order: `SELECT * FROM ((branch) UNION ALL …) AS u
 * ORDER BY s<i> LIMIT limit+1`. The branches also select the raw sort keys as `s<i>` for the
 * merge, in their comparable form (text in code-point order).
 */
function seekStatement(p: SeekParts, selected: readonly SqlFragment[]): SqlFragment {
  const { d, keys } = p;
  const sortColumns = keys.map((k, i) => sql`${k.key} AS ${d.identifier(`s${i}`)}`);
  const orderBy = orderByClause(keys, d) as SqlFragment;
  const page = d.limit(p.limit + 1, undefined);
  const branches = p.branches.map(
    (branch) =>
      sql`(${joinSql(
        [
          sql`SELECT ${joinSql([...selected, ...sortColumns], ', ')}`,
          p.from,
          ...whereClause([p.where, branch]),
          orderBy,
          page,
        ],
        ' ',
      )})`,
  );
  const merged = keys.map((k, i) => ({ ...k, key: d.identifier('u', `s${i}`) }));
  return sql`SELECT * FROM (${joinSql(branches, ' UNION ALL ')}) AS ${d.identifier('u')} ${orderByClause(merged, d) as SqlFragment} ${page}`;
}

/** Row level: `t<i>.column` for columns, the formula's SQL for computed columns. */
function rowFieldRenderer(plan: AnalyzedQuery, d: SqlDialect): (f: ResolvedField) => SqlFragment {
  const scope = new FieldScope(plan.source, plan.joins);
  const column = (table: number, c: CatalogColumn): SqlFragment =>
    c.expression
      ? parens(c.expression(d.identifier(`t${table}`), d))
      : d.identifier(`t${table}`, sqlNameOf(c));
  const formulas = new Map<number, SqlFragment>();
  return (f) => {
    if (f.target.kind === 'column') return column(f.target.table, f.target.column);
    const { index } = f.target;
    const cached = formulas.get(index) ?? formulaSql(plan.computed[index]!, scope, d, column);
    formulas.set(index, cached);
    return cached;
  };
}

function fromClause(plan: AnalyzedQuery, d: SqlDialect, terms: Terms): SqlFragment {
  const table = (t: { schema?: string; name: string }) =>
    t.schema ? d.identifier(t.schema, t.name) : d.identifier(t.name);
  const joins = plan.joins.map((j) => {
    const kind = keyword(j.type === 'left' ? 'LEFT JOIN' : 'INNER JOIN');
    const alias = d.identifier(`t${j.index}`);
    const on = d.joinEquals(
      j.left.type,
      terms.field(j.left),
      d.identifier(`t${j.index}`, sqlNameOf(j.right)),
    );
    return sql`${kind} ${table(j.table)} AS ${alias} ON ${on}`;
  });
  return joinSql([sql`FROM ${table(plan.source)} AS ${d.identifier('t0')}`, ...joins], ' ');
}

/**
 * A grouped query in three levels, so every clause names plain columns: `q` projects each field
 * grouped or aggregated (computed ones written once), `g` groups (`g<i>` group keys, `a<j>`
 * aggregates), and the outer level orders, pages and formats. Engines cannot match a
 * parameterised expression across clauses, and MySQL's HAVING cannot name grouped expressions.
 */
function groupedBody(
  plan: AnalyzedQuery,
  d: SqlDialect,
  rowTerms: Terms,
  from: SqlFragment,
  where?: SqlFragment,
) {
  const terms = [...plan.outputs.map((o) => o.term), ...plan.orderKeys.map((k) => k.term)];
  const aggregates = distinct(
    terms.filter((t): t is AggregateTerm => t.kind === 'aggregate'),
    sameAggregate,
  );
  const fields = distinct(
    [...plan.groupFields, ...aggregates.flatMap((a) => (a.field ? [a.field] : []))],
    sameField,
  );
  const projected = fields.map((f, i) => sql`${rowTerms.field(f)} AS ${d.identifier(`v${i}`)}`);
  const inner = joinSql(
    [
      sql`SELECT ${projected.length > 0 ? joinSql(projected, ', ') : keyword('1 AS one')}`,
      from,
      ...(where ? [sql`WHERE ${where}`] : []),
    ],
    ' ',
  );
  const q = new Terms(d, (f) => d.identifier('q', `v${fields.findIndex((g) => sameField(g, f))}`));
  const groupKeys = plan.groupFields.map((f) => q.groupKey(f));
  const columns = [
    ...groupKeys.map((key, i) => sql`${key} AS ${d.identifier(`g${i}`)}`),
    ...aggregates.map((a, j) => sql`${q.aggregate(a)} AS ${d.identifier(`a${j}`)}`),
  ];
  const groupBy = groupKeys.length > 0 ? [sql`GROUP BY ${joinSql(groupKeys, ', ')}`] : [];
  const grouped = joinSql(
    [sql`SELECT ${joinSql(columns, ', ')}`, sql`FROM (${inner}) AS ${d.identifier('q')}`, ...groupBy],
    ' ',
  );
  const outer = new Terms(
    d,
    (f) => d.identifier('g', `g${plan.groupFields.findIndex((g) => sameField(g, f))}`),
    (a) => d.identifier('g', `a${aggregates.findIndex((b) => sameAggregate(a, b))}`),
  );
  return { terms: outer, from: sql`FROM (${grouped}) AS ${d.identifier('g')}`, where: undefined };
}

function sameTerm(a: Term, b: Term): boolean {
  if (a.kind === 'field' && b.kind === 'field') return sameField(a.field, b.field);
  return a.kind === 'aggregate' && b.kind === 'aggregate' && sameAggregate(a, b);
}

function sameAggregate(a: AggregateTerm, b: AggregateTerm): boolean {
  return a.fn === b.fn && (a.field && b.field ? sameField(a.field, b.field) : a.field === b.field);
}

function distinct<T>(items: readonly T[], same: (a: T, b: T) => boolean): T[] {
  return items.filter((item, i) => items.findIndex((other) => same(item, other)) === i);
}
