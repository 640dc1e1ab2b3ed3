import { expect } from 'chai';
import fc from 'fast-check';
import { catalogOf } from '../../../../dataplane/src/query/catalog.js';
import type { Filter } from '../../../../dataplane/src/query/lqp.js';
import {
  compileMongoPipeline,
  escapeRegex,
  finishMongoResult,
} from '../../../../dataplane/src/query/mongo/index.js';
import { NOW, ORDERS, SHOP, query } from './catalog.fixture.js';

/**
 * Injection corpus: input text never becomes an operator, a field path, a pipeline key or
 * live regex syntax. Values are scalars matched literally; field names must name the catalog.
 */
const compile = (q: Parameters<typeof query>[0], catalog = SHOP) =>
  compileMongoPipeline(query(q), catalog, { now: NOW });

const VALUE_POSITIONS = new Set([
  '$literal',
  '$eq',
  '$ne',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
  '$in',
  '$nin',
  '$regex',
]);

/** Replaces string values (never keys) equal to `from` by `to`. */
function swapValues(node: unknown, from: string, to: string): unknown {
  if (node === from) return to;
  if (Array.isArray(node)) return node.map((n) => swapValues(n, from, to));
  if (node === null || typeof node !== 'object' || node.constructor !== Object) return node;
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, swapValues(v, from, to)]));
}

/** Every place `needle` occurs: it must be a value under a value operator, never a key, never live in $expr. */
function assertOnlyAsValue(node: unknown, needle: string, keys: string[] = [], checkKeys = true): void {
  if (typeof node === 'string' && node === needle) {
    const nearest = [...keys].reverse().find((k) => k.startsWith('$'));
    expect(nearest, `"${needle}" at ${keys.join('/')}`).to.satisfy(
      (k: string | undefined) => k && VALUE_POSITIONS.has(k),
    );
    const literal = keys.lastIndexOf('$literal');
    expect(
      keys.lastIndexOf('$expr') < literal || !keys.includes('$expr'),
      `${needle} live in $expr`,
    ).to.equal(true);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    if (checkKeys) expect(key, `input became a key at ${keys.join('/')}`).not.to.equal(needle);
    assertOnlyAsValue(value, needle, Array.isArray(node) ? keys : [...keys, key], checkKeys);
  }
}

const HOSTILE_STRINGS = [
  '$where',
  '$gt',
  '$$ROOT',
  '$expr',
  '{"$gt": ""}',
  "'; return true; //",
  '.*',
  '^a|b$',
  'a\\',
  '\n',
];

describe('mongo pipeline compiler: injection corpus', () => {
  it('keeps hostile strings as literal values in every operator: the pipeline shape never depends on them', () => {
    const filters = (s: string): Filter[] => [
      { field: 'status', op: 'eq', value: s },
      { field: 'status', op: 'neq', value: s },
      { field: 'status', op: 'in', value: [s, 'x'] },
      { field: 'status', op: 'nin', value: [s] },
      { field: 'status', op: 'gt', value: s },
      { field: 'status', op: 'between', value: [s, s] },
    ];
    const benign = filters('BENIGN').map((filter) => compile({ filter }).pipeline);
    for (const s of HOSTILE_STRINGS) {
      filters(s).forEach((filter, i) => {
        const { pipeline } = compile({ filter });
        expect(pipeline).to.deep.equal(swapValues(benign[i], 'BENIGN', s));
        assertOnlyAsValue(pipeline, s, [], false);
      });
    }
  });

  it('refuses objects and arrays as values, so {"$gt": ""} never becomes an operator', () => {
    const hostile: unknown[] = [
      { $gt: '' },
      { $where: 'sleep(100)' },
      { $regex: '.*' },
      ['$gt'],
      { toString: 1 },
    ];
    for (const value of hostile) {
      for (const op of ['eq', 'neq', 'gt', 'contains'] as const) {
        expect(() => compile({ filter: { field: 'status', op, value } }), `${op} ${JSON.stringify(value)}`)
          .to.throw(/expected string/)
          .with.property('status', 422);
      }
      expect(() => compile({ filter: { field: 'status', op: 'in', value: [value] } })).to.throw(
        /expected string/,
      );
    }
  });

  it('escapes regex metacharacters: text operators match literally (property)', () => {
    const text = fc.string({ unit: fc.constantFrom(...'ab.*+?^$()[]{}|\\/-#\n\t\u0000 xyzAB') });
    fc.assert(
      fc.property(text, text, (needle, haystack) => {
        const re = new RegExp(escapeRegex(needle), 'i');
        expect(re.test(haystack)).to.equal(haystack.toLowerCase().includes(needle.toLowerCase()));
      }),
      { numRuns: 500 },
    );
    const { pipeline } = compile({ filter: { field: 'status', op: 'startsWith', value: '.*$' } });
    expect(pipeline[0]).to.deep.equal({ $match: { status: { $regex: '^\\.\\*\\$', $options: 'i' } } });
  });

  it('refuses field names that are not catalog paths: $where, $-segments, dots, empties', () => {
    const names = [
      '$where',
      '$gt',
      'status.$ne',
      'shipping.$where',
      '$$ROOT',
      '',
      'status\u0000',
      ' status',
      '__proto__',
      'constructor',
      'shipping',
      'c.$where',
    ];
    for (const field of names) {
      for (const attempt of [
        () => compile({ filter: { field, op: 'eq', value: 1 } }),
        () => compile({ select: [field] }),
        () => compile({ sorts: [{ field }] }),
        () => compile({ groupBy: { fields: [field], aggregates: [] } }),
        () => compile({ joins: [{ table: 'customers', as: 'c', on: { left: field, right: '_id' } }] }),
      ]) {
        expect(attempt, JSON.stringify(field))
          .to.throw(/unknown field|expected a field name|NUL|must NOT have fewer/)
          .with.property('status', 422);
      }
    }
  });

  it('refuses unsafe paths even when a catalog lists them', () => {
    const odd = catalogOf([
      {
        ...ORDERS,
        columns: [
          ...ORDERS.columns,
          { name: '$where', type: 'text', nullable: true },
          { name: 'a..b', type: 'text', nullable: true },
        ],
      },
    ]);
    for (const field of ['$where', 'a..b']) {
      expect(() => compile({ select: [field] }, odd))
        .to.throw(/cannot be addressed/)
        .with.property('status', 422);
      expect(() => compile({ filter: { field, op: 'eq', value: 'x' } }, odd)).to.throw(/cannot be addressed/);
    }
    expect(() => compile({}, odd)).to.throw(/cannot be addressed/);
  });

  it('never uses output names as pipeline keys', () => {
    const names = ['$where', 'a.b', '__proto__', '$$ROOT'];
    const plan = compile({
      groupBy: { fields: ['status'], aggregates: names.map((as) => ({ fn: 'count' as const, as })) },
    });
    for (const name of names) assertOnlyAsValue(plan.pipeline, name);
    const row = finishMongoResult(plan, [{ o0: 'open', o1: 1, o2: 2, o3: 3, o4: 4 }]).rows[0]!;
    expect(Object.keys(row)).to.deep.equal(['status', ...names]);
    expect(Object.getPrototypeOf(row)).to.equal(Object.prototype);
  });
});
