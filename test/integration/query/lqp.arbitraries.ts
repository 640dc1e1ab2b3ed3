import fc from 'fast-check';
import type { LogicalType } from '../../../dataplane/src/query/catalog.js';
import type { Aggregate, Filter, FilterOp, Join, LogicalQuery } from '../../../dataplane/src/query/lqp.js';
import { KEYABLE, OPS_BY_TYPE, SORTABLE } from '../../../dataplane/src/query/validate-values.js';
import { NOTES, STATUSES, TABLES, type Seed } from './sql-fixtures.js';

/**
 * Random valid LQPs over the seeded catalog: orders with zero, one or two joins, filter trees of
 * every operator with values of the right type (drawn from the data and from the wild), sorts,
 * computed columns, groups and both pagination modes.
 */
interface Field {
  ref: string;
  type: LogicalType;
}

const columns = (table: string, prefix = ''): Field[] =>
  TABLES.find((t) => t.name === table)!.columns.map((c) => ({ ref: prefix + c.name, type: c.type }));

const JOINS: Join[] = [
  { table: 'customers', as: 'c', on: { left: 'customer_id', right: 'id' } },
  { table: 'countries', as: 'k', on: { left: 'c.country_id', right: 'id' } },
];

const COMPUTED = [
  { name: 'double_qty', formula: '{qty} * 2', type: 'number' as const },
  { name: 'label', formula: 'CONCAT({status}, "/", {note})', type: 'text' as const },
  { name: 'paid_flag', formula: 'IF({paid}, 1, 0)', type: 'number' as const },
  { name: 'note_len', formula: 'LEN({note})', type: 'number' as const },
];

const CHARS = [...'abcoOpenXZ %_!\'"\\é', 'Ü', 'ß', '😀', '日'];
const wildText = fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 6 });
const instant = fc
  .integer({ min: Date.UTC(2022, 0, 1), max: Date.UTC(2028, 0, 1) })
  .map((ms) => new Date(ms).toISOString());

function valueFor(type: LogicalType, seed: Seed): fc.Arbitrary<unknown> {
  switch (type) {
    case 'text':
      return fc.oneof(
        fc.constantFrom(...STATUSES.filter((s) => s !== null), ...NOTES.filter((n) => n !== null)),
        wildText,
      );
    case 'integer':
      return fc.integer({ min: -10, max: 160 });
    case 'number':
      return fc.oneof(fc.integer({ min: -100, max: 2000 }), fc.constantFrom(0.1, 12.34, -5.5, 1e-7, 999.99));
    case 'boolean':
      return fc.boolean();
    case 'date':
      return instant.map((iso) => iso.slice(0, 10));
    case 'datetime':
      return instant;
    case 'uuid':
      return fc.oneof(
        fc.constantFrom(
          ...seed.orders
            .slice(0, 20)
            .map((o) => o.ref)
            .filter((r) => r !== null),
        ),
        fc.uuid(),
      );
    default:
      return fc.constant(null);
  }
}

function leaf(fields: Field[], seed: Seed): fc.Arbitrary<Filter> {
  return fc
    .constantFrom(...fields)
    .chain((field) => fc.constantFrom(...OPS_BY_TYPE[field.type]).map((op) => ({ field, op })))
    .chain(({ field, op }) =>
      valueForOp(field, op, seed).map((value) =>
        value === undefined ? { field: field.ref, op } : { field: field.ref, op, value },
      ),
    );
}

function valueForOp(field: Field, op: FilterOp, seed: Seed): fc.Arbitrary<unknown> {
  const one = valueFor(field.type, seed);
  if (op === 'in' || op === 'nin') return fc.array(one, { maxLength: 4 });
  if (op === 'between') return fc.tuple(one, one);
  if (op === 'inLastDays' || op === 'inNextDays') return fc.integer({ min: 0, max: 60 });
  if (['isEmpty', 'isNotEmpty', 'isToday', 'isPast', 'isFuture'].includes(op)) return fc.constant(undefined);
  return one;
}

function filterTree(fields: Field[], seed: Seed): fc.Arbitrary<Filter> {
  const { tree } = fc.letrec<{ tree: Filter }>((tie) => ({
    tree: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf(fields, seed),
      fc.array(tie('tree'), { maxLength: 3 }).map((and) => ({ and })),
      fc.array(tie('tree'), { maxLength: 3 }).map((or) => ({ or })),
      tie('tree').map((not) => ({ not })),
    ),
  }));
  return tree;
}

export function logicalQuery(seed: Seed): fc.Arbitrary<LogicalQuery> {
  return fc
    .record({
      hops: fc.integer({ min: 0, max: 2 }),
      joinTypes: fc.tuple(fc.constantFrom('inner', 'left'), fc.constantFrom('inner', 'left')),
      computed: fc.subarray(COMPUTED),
    })
    .chain(({ hops, joinTypes, computed }) => {
      const joins = JOINS.slice(0, hops).map((j, i) => ({ ...j, type: joinTypes[i] as 'inner' | 'left' }));
      const fields: Field[] = [
        ...columns('orders'),
        ...(hops > 0 ? columns('customers', 'c.') : []),
        ...(hops > 1 ? columns('countries', 'k.') : []),
        ...computed.map((c) => ({ ref: c.name, type: c.type })),
      ];
      const sortable = fields.filter((f) => SORTABLE.has(f.type));
      return fc.record(
        {
          source: fc.constant({ table: 'orders' }),
          joins: fc.constant(joins),
          computedColumns: fc.constant(computed.map(({ name, formula }) => ({ name, formula }))),
          select: fc.option(
            fc.subarray(
              fields.map((f) => f.ref),
              { minLength: 1 },
            ),
            { nil: undefined },
          ),
          filter: fc.option(filterTree(fields, seed), { nil: undefined }),
          sorts: fc.uniqueArray(
            fc.record({
              field: fc.constantFrom(...sortable.map((f) => f.ref)),
              direction: fc.constantFrom('asc', 'desc'),
            }),
            {
              maxLength: 3,
              selector: (s) => s.field,
            },
          ),
          pagination: fc.oneof(
            fc.record({ mode: fc.constant('keyset' as const), limit: fc.integer({ min: 1, max: 60 }) }),
            fc.record({
              mode: fc.constant('offset' as const),
              limit: fc.integer({ min: 1, max: 60 }),
              offset: fc.integer({ min: 0, max: 2100 }),
            }),
          ),
        },
        { requiredKeys: ['source', 'joins', 'computedColumns', 'sorts', 'pagination'] },
      );
    });
}

/** A grouped variant: group fields, aggregates over numbers and keys, sorts over both. */
export function groupedQuery(seed: Seed): fc.Arbitrary<LogicalQuery> {
  return logicalQuery(seed).chain((q) => {
    const fields = [...columns('orders'), ...(q.joins?.length ? columns('customers', 'c.') : [])].filter(
      (f) => SORTABLE.has(f.type) && KEYABLE.has(f.type),
    );
    return fc
      .record({
        fields: fc.uniqueArray(fc.constantFrom(...fields.map((f) => f.ref)), { maxLength: 2 }),
        aggregates: fc.constantFrom<Aggregate[][]>(
          [{ fn: 'count' as const, as: 'n' }],
          [
            { fn: 'count' as const, as: 'n' },
            { fn: 'sum' as const, field: 'qty', as: 'total' },
            { fn: 'avg' as const, field: 'price', as: 'mean' },
          ],
          [
            { fn: 'countDistinct' as const, field: 'status', as: 'statuses' },
            { fn: 'min' as const, field: 'note', as: 'first' },
            { fn: 'max' as const, field: 'due', as: 'last' },
          ],
        ),
        desc: fc.boolean(),
      })
      .map(({ fields: groupFields, aggregates, desc }): LogicalQuery => ({
        source: q.source,
        ...(q.joins ? { joins: q.joins } : {}),
        ...(q.computedColumns ? { computedColumns: q.computedColumns } : {}),
        ...(q.filter ? { filter: q.filter } : {}),
        groupBy: { fields: groupFields, aggregates },
        sorts: [{ field: aggregates[0]!.as, direction: desc ? ('desc' as const) : ('asc' as const) }],
        pagination: q.pagination,
      }));
  });
}
