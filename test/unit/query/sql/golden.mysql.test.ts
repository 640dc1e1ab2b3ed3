import { expect } from 'chai';
import knexFactory from 'knex';
import { compileSql } from '../../../../dataplane/src/query/sql/index.js';
import { GOLDEN, withCursor, withFieldAndKeyCursor } from './golden-cases.js';
import { UNIT_CATALOG } from './unit-catalog.js';

/** Golden tests: each LQP of golden-cases.ts in, the exact MySQL statement and bindings out. */
const EXPECTED: Record<string, { sql: string; bindings: unknown[] }> = {
  'defaults: every source column, ordered by the primary key': {
    sql: "SELECT `t0`.`id` AS `o0`, `t0`.`customer_id` AS `o1`, `t0`.`status` AS `o2`, `t0`.`qty` AS `o3`, `t0`.`price` AS `o4`, `t0`.`paid` AS `o5`, DATE_FORMAT(`t0`.`due`, '%Y-%m-%d') AS `o6`, DATE_FORMAT(`t0`.`shipped_at`, '%Y-%m-%dT%H:%i:%s.%fZ') AS `o7`, `t0`.`ref` AS `o8`, `t0`.`meta` AS `o9`, `t0`.`blob` AS `o10` FROM `orders` AS `t0` ORDER BY `t0`.`id` ASC LIMIT ?",
    bindings: [51],
  },
  'text: exact equality, code-point order, case-insensitive matching with % _ ! escaped': {
    sql: "SELECT `t0`.`id` AS `o0` FROM `orders` AS `t0` WHERE (((`t0`.`status` = ? AND CAST(CONVERT(`t0`.`status` USING utf8mb4) AS BINARY) = CAST(CONVERT(? USING utf8mb4) AS BINARY))) AND (NOT (CAST(CONVERT(`t0`.`status` USING utf8mb4) AS BINARY) <=> CAST(CONVERT(? USING utf8mb4) AS BINARY))) AND (CAST(CONVERT(`t0`.`status` USING utf8mb4) AS BINARY) < CAST(CONVERT(? USING utf8mb4) AS BINARY)) AND ((`t0`.`status` IN (?, ?) AND CAST(CONVERT(`t0`.`status` USING utf8mb4) AS BINARY) IN (CAST(CONVERT(? USING utf8mb4) AS BINARY), CAST(CONVERT(? USING utf8mb4) AS BINARY)))) AND (`t0`.`status` IS NULL OR NOT ((`t0`.`status` IN (?) AND CAST(CONVERT(`t0`.`status` USING utf8mb4) AS BINARY) IN (CAST(CONVERT(? USING utf8mb4) AS BINARY))))) AND (LOWER(CONVERT(`t0`.`status` USING utf8mb4)) COLLATE utf8mb4_bin LIKE LOWER(CONVERT(? USING utf8mb4)) COLLATE utf8mb4_bin ESCAPE '!') AND (`t0`.`status` IS NULL OR NOT (LOWER(CONVERT(`t0`.`status` USING utf8mb4)) COLLATE utf8mb4_bin LIKE LOWER(CONVERT(? USING utf8mb4)) COLLATE utf8mb4_bin ESCAPE '!')) AND (LOWER(CONVERT(`t0`.`status` USING utf8mb4)) COLLATE utf8mb4_bin LIKE LOWER(CONVERT(? USING utf8mb4)) COLLATE utf8mb4_bin ESCAPE '!') AND (LOWER(CONVERT(`t0`.`status` USING utf8mb4)) COLLATE utf8mb4_bin LIKE LOWER(CONVERT(? USING utf8mb4)) COLLATE utf8mb4_bin ESCAPE '!') AND (`t0`.`status` IS NULL OR CHAR_LENGTH(`t0`.`status`) = 0) AND (CAST(CONVERT(`t0`.`status` USING utf8mb4) AS BINARY) BETWEEN CAST(CONVERT(? USING utf8mb4) AS BINARY) AND CAST(CONVERT(? USING utf8mb4) AS BINARY))) ORDER BY `t0`.`id` ASC LIMIT ?",
    bindings: [
      'open',
      'open',
      'closed',
      'z',
      'a',
      'b',
      'a',
      'b',
      'c',
      'c',
      '%50!%!_off!!%',
      '%x%',
      'a%',
      '%z',
      'a',
      'm',
      11,
    ],
  },
  'numbers, booleans, uuids, json and emptiness': {
    sql: 'SELECT `t0`.`id` AS `o0` FROM `orders` AS `t0` WHERE ((`t0`.`qty` >= ?) AND (`t0`.`price` BETWEEN ? AND ?) AND ((`t0`.`paid` <> 0) = (? <> 0)) AND (NOT ((`t0`.`paid` <> 0) <=> (? <> 0))) AND ((`t0`.`ref` = ? AND CAST(CONVERT(`t0`.`ref` USING utf8mb4) AS BINARY) = CAST(CONVERT(? USING utf8mb4) AS BINARY))) AND NOT (`t0`.`meta` IS NULL) AND (`t0`.`qty` IS NULL OR NOT (`t0`.`qty` IN (?, ?)))) ORDER BY `t0`.`id` ASC LIMIT ?',
    bindings: [
      3,
      1.5,
      9.99,
      true,
      false,
      '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
      '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
      1,
      2,
      11,
    ],
  },
  'dates: helpers relative to now and today, ISO values normalised to UTC': {
    sql: 'SELECT `t0`.`id` AS `o0` FROM `orders` AS `t0` WHERE ((`t0`.`due` = CURRENT_DATE) OR (`t0`.`shipped_at` >= CURRENT_DATE AND `t0`.`shipped_at` < (CURRENT_DATE + INTERVAL 1 DAY)) OR (`t0`.`shipped_at` < NOW(6)) OR (`t0`.`due` > CURRENT_DATE) OR (`t0`.`shipped_at` >= (NOW(6) - INTERVAL ? DAY) AND `t0`.`shipped_at` <= NOW(6)) OR (`t0`.`due` >= CURRENT_DATE AND `t0`.`due` <= (CURRENT_DATE + INTERVAL ? DAY)) OR (`t0`.`shipped_at` > CAST(? AS DATETIME(6))) OR (`t0`.`due` = CAST(? AS DATE))) ORDER BY `t0`.`id` ASC LIMIT ?',
    bindings: [7, 3, '2024-05-01 10:00:00.000', '2024-02-29', 11],
  },
  'not, empty groups and empty lists': {
    sql: 'SELECT `t0`.`id` AS `o0` FROM `orders` AS `t0` WHERE (NOT COALESCE((`t0`.`qty` > ?), FALSE) OR 1 = 1 OR 1 = 0 OR 1 = 0 OR 1 = 1) ORDER BY `t0`.`id` ASC LIMIT ?',
    bindings: [5, 11],
  },
  'two-hop joins: aliases t0, t1, t2, a schema, joined outputs': {
    sql: 'SELECT `t0`.`id` AS `o0`, `t1`.`name` AS `o1`, `t2`.`name` AS `o2` FROM `orders` AS `t0` LEFT JOIN `crm`.`customers` AS `t1` ON `t0`.`customer_id` = `t1`.`id` INNER JOIN `countries` AS `t2` ON (`t1`.`country_code` = `t2`.`code` AND CAST(CONVERT(`t1`.`country_code` USING utf8mb4) AS BINARY) = CAST(CONVERT(`t2`.`code` USING utf8mb4) AS BINARY)) WHERE ((`t2`.`name` = ? AND CAST(CONVERT(`t2`.`name` USING utf8mb4) AS BINARY) = CAST(CONVERT(? USING utf8mb4) AS BINARY))) ORDER BY `t0`.`id` ASC LIMIT ? OFFSET ?',
    bindings: ['Österreich', 'Österreich', 11, 20],
  },
  'sorts: mixed directions, NULLs last, primary keys of every table a join can repeat as tiebreakers': {
    sql: "SELECT `t0`.`id` AS `o0`, DATE_FORMAT(`t0`.`due`, '%Y-%m-%d') AS `k0`, CAST(CONVERT(`t1`.`name` USING utf8mb4) AS BINARY) AS `k1`, (`t0`.`paid` <> 0) AS `k2` FROM `orders` AS `t0` LEFT JOIN `crm`.`customers` AS `t1` ON `t0`.`customer_id` = `t1`.`id` INNER JOIN `countries` AS `t2` ON (`t1`.`country_code` = `t2`.`code` AND CAST(CONVERT(`t1`.`country_code` USING utf8mb4) AS BINARY) = CAST(CONVERT(`t2`.`code` USING utf8mb4) AS BINARY)) ORDER BY `t0`.`due` IS NULL, `t0`.`due` DESC, CAST(CONVERT(`t1`.`name` USING utf8mb4) AS BINARY) IS NULL, CAST(CONVERT(`t1`.`name` USING utf8mb4) AS BINARY) ASC, (`t0`.`paid` <> 0) IS NULL, (`t0`.`paid` <> 0) DESC, `t0`.`id` ASC LIMIT ?",
    bindings: [51],
  },
  'grouped: every aggregate, sorted by one, keyset': {
    sql: "SELECT `g`.`g0` AS `o0`, `g`.`g1` AS `o1`, `g`.`a0` AS `o2`, `g`.`a1` AS `o3`, `g`.`a2` AS `o4`, `g`.`a3` AS `o5`, `g`.`a4` AS `o6`, DATE_FORMAT(`g`.`a5`, '%Y-%m-%dT%H:%i:%s.%fZ') AS `o7` FROM (SELECT CAST(CONVERT(`q`.`v0` USING utf8mb4) AS BINARY) AS `g0`, (`q`.`v1` <> 0) AS `g1`, COUNT(*) AS `a0`, COUNT(DISTINCT CAST(CONVERT(`q`.`v2` USING utf8mb4) AS BINARY)) AS `a1`, SUM(`q`.`v3`) AS `a2`, ROUND(CAST(SUM(`q`.`v4`) AS DECIMAL(65, 20)) / NULLIF(COUNT(`q`.`v4`), 0), 10) AS `a3`, MIN(CAST(CONVERT(`q`.`v0` USING utf8mb4) AS BINARY)) AS `a4`, MAX(`q`.`v5`) AS `a5` FROM (SELECT `t0`.`status` AS `v0`, `t0`.`paid` AS `v1`, `t0`.`ref` AS `v2`, `t0`.`qty` AS `v3`, `t0`.`price` AS `v4`, `t0`.`shipped_at` AS `v5` FROM `orders` AS `t0`) AS `q` GROUP BY CAST(CONVERT(`q`.`v0` USING utf8mb4) AS BINARY), (`q`.`v1` <> 0)) AS `g` ORDER BY `g`.`a0` DESC, CAST(CONVERT(`g`.`g0` USING utf8mb4) AS BINARY) IS NULL, CAST(CONVERT(`g`.`g0` USING utf8mb4) AS BINARY) ASC, (`g`.`g1` <> 0) IS NULL, (`g`.`g1` <> 0) ASC LIMIT ?",
    bindings: [51],
  },
  'computed columns: formulas as SQL, filtered and sorted': {
    sql: 'SELECT `t0`.`id` AS `o0`, ((CAST(`t0`.`qty` AS DOUBLE) * CAST(`t0`.`price` AS DOUBLE))) AS `o1` FROM `orders` AS `t0` WHERE (((CAST(`t0`.`qty` AS DOUBLE) * CAST(`t0`.`price` AS DOUBLE))) > ?) ORDER BY ((CAST(`t0`.`qty` AS DOUBLE) * CAST(`t0`.`price` AS DOUBLE))) IS NULL, ((CAST(`t0`.`qty` AS DOUBLE) * CAST(`t0`.`price` AS DOUBLE))) DESC, `t0`.`id` ASC LIMIT ?',
    bindings: [100, 11],
  },
  'keyset continuation': {
    sql: "SELECT * FROM ((SELECT `t0`.`id` AS `o0`, DATE_FORMAT(`t0`.`due`, '%Y-%m-%d') AS `k0`, CAST(CONVERT(`t0`.`status` USING utf8mb4) AS BINARY) AS `k1`, `t0`.`due` AS `s0`, CAST(CONVERT(`t0`.`status` USING utf8mb4) AS BINARY) AS `s1`, `t0`.`id` AS `s2` FROM `orders` AS `t0` WHERE `t0`.`due` < CAST(? AS DATE) ORDER BY `t0`.`due` IS NULL, `t0`.`due` DESC, CAST(CONVERT(`t0`.`status` USING utf8mb4) AS BINARY) IS NULL, CAST(CONVERT(`t0`.`status` USING utf8mb4) AS BINARY) ASC, `t0`.`id` ASC LIMIT ?) UNION ALL (SELECT `t0`.`id` AS `o0`, DATE_FORMAT(`t0`.`due`, '%Y-%m-%d') AS `k0`, CAST(CONVERT(`t0`.`status` USING utf8mb4) AS BINARY) AS `k1`, `t0`.`due` AS `s0`, CAST(CONVERT(`t0`.`status` USING utf8mb4) AS BINARY) AS `s1`, `t0`.`id` AS `s2` FROM `orders` AS `t0` WHERE `t0`.`due` IS NULL ORDER BY `t0`.`due` IS NULL, `t0`.`due` DESC, CAST(CONVERT(`t0`.`status` USING utf8mb4) AS BINARY) IS NULL, CAST(CONVERT(`t0`.`status` USING utf8mb4) AS BINARY) ASC, `t0`.`id` ASC LIMIT ?) UNION ALL (SELECT `t0`.`id` AS `o0`, DATE_FORMAT(`t0`.`due`, '%Y-%m-%d') AS `k0`, CAST(CONVERT(`t0`.`status` USING utf8mb4) AS BINARY) AS `k1`, `t0`.`due` AS `s0`, CAST(CONVERT(`t0`.`status` USING utf8mb4) AS BINARY) AS `s1`, `t0`.`id` AS `s2` FROM `orders` AS `t0` WHERE `t0`.`due` = CAST(? AS DATE) AND ((CAST(CONVERT(`t0`.`status` USING utf8mb4) AS BINARY) IS NULL AND `t0`.`id` > ?)) ORDER BY `t0`.`due` IS NULL, `t0`.`due` DESC, CAST(CONVERT(`t0`.`status` USING utf8mb4) AS BINARY) IS NULL, CAST(CONVERT(`t0`.`status` USING utf8mb4) AS BINARY) ASC, `t0`.`id` ASC LIMIT ?)) AS `u` ORDER BY `u`.`s0` IS NULL, `u`.`s0` DESC, `u`.`s1` IS NULL, `u`.`s1` ASC, `u`.`s2` ASC LIMIT ?",
    bindings: ['2024-03-01', 51, 51, '2024-03-01', 42, 51, 51],
  },
  'keyset continuation after a field and the key': {
    sql: 'SELECT * FROM ((SELECT `t0`.`id` AS `o0`, `t0`.`qty` AS `k0`, `t0`.`qty` AS `s0`, `t0`.`id` AS `s1` FROM `orders` AS `t0` WHERE `t0`.`qty` < ? ORDER BY `t0`.`qty` IS NULL, `t0`.`qty` DESC, `t0`.`id` DESC LIMIT ?) UNION ALL (SELECT `t0`.`id` AS `o0`, `t0`.`qty` AS `k0`, `t0`.`qty` AS `s0`, `t0`.`id` AS `s1` FROM `orders` AS `t0` WHERE `t0`.`qty` IS NULL ORDER BY `t0`.`qty` IS NULL, `t0`.`qty` DESC, `t0`.`id` DESC LIMIT ?) UNION ALL (SELECT `t0`.`id` AS `o0`, `t0`.`qty` AS `k0`, `t0`.`qty` AS `s0`, `t0`.`id` AS `s1` FROM `orders` AS `t0` WHERE `t0`.`qty` = ? AND ((`t0`.`id` < ?)) ORDER BY `t0`.`qty` IS NULL, `t0`.`qty` DESC, `t0`.`id` DESC LIMIT ?)) AS `u` ORDER BY `u`.`s0` IS NULL, `u`.`s0` DESC, `u`.`s1` DESC LIMIT ?',
    bindings: [7, 51, 51, 7, 42, 51, 51],
  },
};

describe('LQP → SQL golden tests (MySQL)', () => {
  const knex = knexFactory({ client: 'mysql2' });
  after(() => knex.destroy());

  for (const [name, query] of [
    ...Object.entries(GOLDEN),
    ['keyset continuation', withCursor('mysql')] as const,
    ['keyset continuation after a field and the key', withFieldAndKeyCursor('mysql')] as const,
  ]) {
    it(name, () => {
      const compiled = compileSql(query, UNIT_CATALOG, 'mysql', knex);
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
