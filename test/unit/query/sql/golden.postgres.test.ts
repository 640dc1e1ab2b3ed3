import { expect } from 'chai';
import knexFactory from 'knex';
import { compileSql } from '../../../../dataplane/src/query/sql/index.js';
import { GOLDEN, withCursor, withFieldAndKeyCursor } from './golden-cases.js';
import { UNIT_CATALOG } from './unit-catalog.js';

/** Golden tests: each LQP of golden-cases.ts in, the exact PostgreSQL statement and bindings out. */
const EXPECTED: Record<string, { sql: string; bindings: unknown[] }> = {
  'defaults: every source column, ordered by the primary key': {
    sql: 'SELECT "t0"."id" AS "o0", "t0"."customer_id" AS "o1", "t0"."status" AS "o2", "t0"."qty" AS "o3", "t0"."price" AS "o4", "t0"."paid" AS "o5", to_char("t0"."due", \'YYYY-MM-DD\') AS "o6", to_char("t0"."shipped_at", \'YYYY-MM-DD"T"HH24:MI:SS.US"Z"\') AS "o7", "t0"."ref" AS "o8", "t0"."meta" AS "o9", "t0"."blob" AS "o10" FROM "orders" AS "t0" ORDER BY "t0"."id" ASC LIMIT $1',
    bindings: [51],
  },
  'text: exact equality, code-point order, case-insensitive matching with % _ ! escaped': {
    sql: 'SELECT "t0"."id" AS "o0" FROM "orders" AS "t0" WHERE (("t0"."status" = $1) AND ("t0"."status" IS DISTINCT FROM $2) AND ("t0"."status" COLLATE "C" < $3) AND ("t0"."status" IN ($4, $5)) AND ("t0"."status" IS NULL OR NOT ("t0"."status" IN ($6))) AND ("t0"."status" ILIKE $7 ESCAPE \'!\') AND ("t0"."status" IS NULL OR NOT ("t0"."status" ILIKE $8 ESCAPE \'!\')) AND ("t0"."status" ILIKE $9 ESCAPE \'!\') AND ("t0"."status" ILIKE $10 ESCAPE \'!\') AND ("t0"."status" IS NULL OR "t0"."status" = \'\') AND ("t0"."status" COLLATE "C" BETWEEN $11 AND $12)) ORDER BY "t0"."id" ASC LIMIT $13',
    bindings: ['open', 'closed', 'z', 'a', 'b', 'c', '%50!%!_off!!%', '%x%', 'a%', '%z', 'a', 'm', 11],
  },
  'numbers, booleans, uuids, json and emptiness': {
    sql: 'SELECT "t0"."id" AS "o0" FROM "orders" AS "t0" WHERE (("t0"."qty" >= CAST($1 AS bigint)) AND ("t0"."price" BETWEEN CAST($2 AS numeric) AND CAST($3 AS numeric)) AND ("t0"."paid" = $4) AND ("t0"."paid" IS DISTINCT FROM $5) AND ("t0"."ref" = $6) AND NOT ("t0"."meta" IS NULL) AND ("t0"."qty" IS NULL OR NOT ("t0"."qty" IN (CAST($7 AS bigint), CAST($8 AS bigint))))) ORDER BY "t0"."id" ASC LIMIT $9',
    bindings: [3, 1.5, 9.99, true, false, '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', 1, 2, 11],
  },
  'dates: helpers relative to now and today, ISO values normalised to UTC': {
    sql: 'SELECT "t0"."id" AS "o0" FROM "orders" AS "t0" WHERE (("t0"."due" = CURRENT_DATE) OR ("t0"."shipped_at" >= CURRENT_DATE AND "t0"."shipped_at" < (CURRENT_DATE + 1)) OR ("t0"."shipped_at" < now()) OR ("t0"."due" > CURRENT_DATE) OR ("t0"."shipped_at" >= (now() - make_interval(days => CAST($1 AS integer))) AND "t0"."shipped_at" <= now()) OR ("t0"."due" >= CURRENT_DATE AND "t0"."due" <= (CURRENT_DATE + CAST($2 AS integer))) OR ("t0"."shipped_at" > $3) OR ("t0"."due" = $4)) ORDER BY "t0"."id" ASC LIMIT $5',
    bindings: [7, 3, '2024-05-01T10:00:00.000Z', '2024-02-29', 11],
  },
  'not, empty groups and empty lists': {
    sql: 'SELECT "t0"."id" AS "o0" FROM "orders" AS "t0" WHERE (NOT COALESCE(("t0"."qty" > CAST($1 AS bigint)), FALSE) OR 1 = 1 OR 1 = 0 OR 1 = 0 OR 1 = 1) ORDER BY "t0"."id" ASC LIMIT $2',
    bindings: [5, 11],
  },
  'two-hop joins: aliases t0, t1, t2, a schema, joined outputs': {
    sql: 'SELECT "t0"."id" AS "o0", "t1"."name" AS "o1", "t2"."name" AS "o2" FROM "orders" AS "t0" LEFT JOIN "crm"."customers" AS "t1" ON "t0"."customer_id" = "t1"."id" INNER JOIN "countries" AS "t2" ON "t1"."country_code" = "t2"."code" WHERE ("t2"."name" = $1) ORDER BY "t0"."id" ASC LIMIT $2 OFFSET $3',
    bindings: ['Österreich', 11, 20],
  },
  'sorts: mixed directions, NULLs last, primary keys of every table a join can repeat as tiebreakers': {
    sql: 'SELECT "t0"."id" AS "o0", to_char("t0"."due", \'YYYY-MM-DD\') AS "k0", "t1"."name" COLLATE "C" AS "k1", "t0"."paid" AS "k2" FROM "orders" AS "t0" LEFT JOIN "crm"."customers" AS "t1" ON "t0"."customer_id" = "t1"."id" INNER JOIN "countries" AS "t2" ON "t1"."country_code" = "t2"."code" ORDER BY "t0"."due" DESC NULLS LAST, "t1"."name" COLLATE "C" ASC NULLS LAST, "t0"."paid" DESC NULLS LAST, "t0"."id" ASC LIMIT $1',
    bindings: [51],
  },
  'grouped: every aggregate, sorted by one, keyset': {
    sql: 'SELECT "g"."g0" AS "o0", "g"."g1" AS "o1", "g"."a0" AS "o2", "g"."a1" AS "o3", "g"."a2" AS "o4", "g"."a3" AS "o5", "g"."a4" AS "o6", to_char("g"."a5", \'YYYY-MM-DD"T"HH24:MI:SS.US"Z"\') AS "o7" FROM (SELECT "q"."v0" AS "g0", "q"."v1" AS "g1", count(*) AS "a0", count(DISTINCT "q"."v2") AS "a1", sum("q"."v3") AS "a2", round(CAST(sum("q"."v4") AS numeric) / NULLIF(count("q"."v4"), 0), 10) AS "a3", min("q"."v0" COLLATE "C") AS "a4", max("q"."v5") AS "a5" FROM (SELECT "t0"."status" AS "v0", "t0"."paid" AS "v1", "t0"."ref" AS "v2", "t0"."qty" AS "v3", "t0"."price" AS "v4", "t0"."shipped_at" AS "v5" FROM "orders" AS "t0") AS "q" GROUP BY "q"."v0", "q"."v1") AS "g" ORDER BY "g"."a0" DESC, "g"."g0" COLLATE "C" ASC NULLS LAST, "g"."g1" ASC NULLS LAST LIMIT $1',
    bindings: [51],
  },
  'computed columns: formulas as SQL, filtered and sorted': {
    sql: 'SELECT "t0"."id" AS "o0", ((CAST("t0"."qty" AS double precision) * CAST("t0"."price" AS double precision))) AS "o1" FROM "orders" AS "t0" WHERE (((CAST("t0"."qty" AS double precision) * CAST("t0"."price" AS double precision))) > CAST($1 AS numeric)) ORDER BY ((CAST("t0"."qty" AS double precision) * CAST("t0"."price" AS double precision))) DESC NULLS LAST, "t0"."id" ASC LIMIT $2',
    bindings: [100, 11],
  },
  'keyset continuation': {
    sql: 'SELECT * FROM ((SELECT "t0"."id" AS "o0", to_char("t0"."due", \'YYYY-MM-DD\') AS "k0", "t0"."status" COLLATE "C" AS "k1", "t0"."due" AS "s0", "t0"."status" COLLATE "C" AS "s1", "t0"."id" AS "s2" FROM "orders" AS "t0" WHERE "t0"."due" < $1 ORDER BY "t0"."due" DESC NULLS LAST, "t0"."status" COLLATE "C" ASC NULLS LAST, "t0"."id" ASC LIMIT $2) UNION ALL (SELECT "t0"."id" AS "o0", to_char("t0"."due", \'YYYY-MM-DD\') AS "k0", "t0"."status" COLLATE "C" AS "k1", "t0"."due" AS "s0", "t0"."status" COLLATE "C" AS "s1", "t0"."id" AS "s2" FROM "orders" AS "t0" WHERE "t0"."due" IS NULL ORDER BY "t0"."due" DESC NULLS LAST, "t0"."status" COLLATE "C" ASC NULLS LAST, "t0"."id" ASC LIMIT $3) UNION ALL (SELECT "t0"."id" AS "o0", to_char("t0"."due", \'YYYY-MM-DD\') AS "k0", "t0"."status" COLLATE "C" AS "k1", "t0"."due" AS "s0", "t0"."status" COLLATE "C" AS "s1", "t0"."id" AS "s2" FROM "orders" AS "t0" WHERE "t0"."due" = $4 AND (("t0"."status" COLLATE "C" IS NULL AND "t0"."id" > CAST($5 AS bigint))) ORDER BY "t0"."due" DESC NULLS LAST, "t0"."status" COLLATE "C" ASC NULLS LAST, "t0"."id" ASC LIMIT $6)) AS "u" ORDER BY "u"."s0" DESC NULLS LAST, "u"."s1" ASC NULLS LAST, "u"."s2" ASC LIMIT $7',
    bindings: ['2024-03-01', 51, 51, '2024-03-01', 42, 51, 51],
  },
  'keyset continuation after a field and the key': {
    sql: 'SELECT * FROM ((SELECT "t0"."id" AS "o0", "t0"."qty" AS "k0", "t0"."qty" AS "s0", "t0"."id" AS "s1" FROM "orders" AS "t0" WHERE ROW("t0"."qty", "t0"."id") < ROW(CAST($1 AS bigint), CAST($2 AS bigint)) ORDER BY "t0"."qty" DESC NULLS LAST, "t0"."id" DESC LIMIT $3) UNION ALL (SELECT "t0"."id" AS "o0", "t0"."qty" AS "k0", "t0"."qty" AS "s0", "t0"."id" AS "s1" FROM "orders" AS "t0" WHERE "t0"."qty" IS NULL ORDER BY "t0"."qty" DESC NULLS LAST, "t0"."id" DESC LIMIT $4)) AS "u" ORDER BY "u"."s0" DESC NULLS LAST, "u"."s1" DESC LIMIT $5',
    bindings: [7, 42, 51, 51, 51],
  },
};

describe('LQP → SQL golden tests (PostgreSQL)', () => {
  const knex = knexFactory({ client: 'pg' });
  after(() => knex.destroy());

  for (const [name, query] of [
    ...Object.entries(GOLDEN),
    ['keyset continuation', withCursor('postgres')] as const,
    ['keyset continuation after a field and the key', withFieldAndKeyCursor('postgres')] as const,
  ]) {
    it(name, () => {
      const compiled = compileSql(query, UNIT_CATALOG, 'postgres', knex);
      expect({ sql: compiled.sql, bindings: compiled.bindings }).to.deep.equal(EXPECTED[name]);
    });
  }

  it('every golden case has an expectation', () => {
    expect(Object.keys(EXPECTED)).to.have.members([
      ...Object.keys(GOLDEN),
      'keyset continuation',
      'keyset continuation after a field and the key',
    ]);
  });
});
