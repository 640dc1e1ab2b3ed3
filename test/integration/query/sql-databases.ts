import { randomBytes } from 'node:crypto';
import knexFactory, { type Knex } from 'knex';
import { createTestDatabase } from '../../support/databases.js';
import type { Row, Seed } from './sql-fixtures.js';

/**
 * Real engines for the SQL compiler tests: a fresh PostgreSQL database and a fresh MariaDB
 * database `lt_test_<random>`, both seeded with the same rows. Sessions run in UTC (the
 * compiler's documented requirement); MariaDB also runs with ONLY_FULL_GROUP_BY, as MySQL 8 does.
 */
export const MYSQL_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

export interface TestEngine {
  knex: Knex;
  drop(): Promise<void>;
}

const PG_DDL = [
  'CREATE TABLE countries (id integer PRIMARY KEY, code char(2) NOT NULL, name varchar(100) NOT NULL)',
  'CREATE TABLE customers (id integer PRIMARY KEY, name varchar(100) NOT NULL, email varchar(200), country_id integer, vip boolean, created_at timestamp(6))',
  `CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer, status varchar(20), qty integer, price numeric(10,2),
     weight double precision, due date, shipped_at timestamptz(6), note text, ref uuid, paid boolean)`,
  'CREATE TABLE "odd ""table""" (id integer PRIMARY KEY, "we""ird" text, "back`tick" text, "dot.ted" integer, "select" text, "x as y" text)',
  'CREATE TABLE events (k1 varchar(50) NOT NULL, k2 integer NOT NULL, v integer, PRIMARY KEY (k1, k2))',
  'CREATE TABLE tokens (id bytea PRIMARY KEY, label text)',
];

const MYSQL_DDL = [
  'CREATE TABLE countries (id INT PRIMARY KEY, code CHAR(2) NOT NULL, name VARCHAR(100) NOT NULL)',
  'CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL, email VARCHAR(200), country_id INT, vip TINYINT(1), created_at TIMESTAMP(6) NULL)',
  `CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT, status VARCHAR(20), qty INT, price DECIMAL(10,2),
     weight DOUBLE, due DATE, shipped_at DATETIME(6), note TEXT, ref CHAR(36), paid TINYINT(1))`,
  'CREATE TABLE `odd "table"` (id INT PRIMARY KEY, `we"ird` TEXT, `back``tick` TEXT, `dot.ted` INT, `select` TEXT, `x as y` TEXT)',
  'CREATE TABLE events (k1 VARCHAR(50) NOT NULL, k2 INT NOT NULL, v INT, PRIMARY KEY (k1, k2))',
  'CREATE TABLE tokens (id VARBINARY(16) PRIMARY KEY, label TEXT)',
];

/** Engine-specific spellings of the same values. */
function forPostgres(row: Row): Row {
  return Object.fromEntries(
    Object.entries(row).map(([k, v]) => [
      k,
      typeof v === 'string' && /^\d{4}-\d\d-\d\dT.*Z$/.test(v) ? v.replace('Z', '+00') : v,
    ]),
  );
}

function forMysql(row: Row): Row {
  return Object.fromEntries(
    Object.entries(row).map(([k, v]) => {
      if (typeof v === 'string' && /^\d{4}-\d\d-\d\dT.*Z$/.test(v))
        return [k, v.replace('T', ' ').replace('Z', '')];
      // TINYINT(1) holds any integer: a stored 2 must still read as true.
      if (typeof v === 'boolean') return [k, v ? (Number(row.id) % 7 === 0 ? 2 : 1) : 0];
      return [k, v];
    }),
  );
}

async function seed(knex: Knex, data: Seed, spell: (row: Row) => Row, quote: (name: string) => string) {
  for (const table of ['countries', 'customers', 'orders', 'events'] as const) {
    const rows = data[table].map(spell);
    for (let i = 0; i < rows.length; i += 500) await knex(table).insert(rows.slice(i, i + 500));
  }
  await knex('tokens').insert(data.tokens.map((t) => ({ ...t, id: Buffer.from(String(t.id), 'hex') })));
  for (const row of data.odd) {
    const names = Object.keys(row).map(quote).join(', ');
    await knex.raw(
      `INSERT INTO ${quote('odd "table"')} (${names}) VALUES (${Object.keys(row)
        .map(() => '?')
        .join(', ')})`,
      Object.values(row) as Knex.RawBinding[],
    );
  }
}

export async function startPostgres(data: Seed): Promise<TestEngine> {
  const db = await createTestDatabase();
  const knex = knexFactory({
    client: 'pg',
    connection: db.url,
    pool: {
      min: 0,
      max: 4,
      afterCreate: (
        conn: { query: (sql: string, cb: (err: Error | null) => void) => void },
        done: (err: Error | null, conn: unknown) => void,
      ) => conn.query("SET TIME ZONE 'UTC'", (err) => done(err, conn)),
    },
  });
  for (const ddl of PG_DDL) await knex.raw(ddl);
  await seed(knex, data, forPostgres, (n) => `"${n.replaceAll('"', '""')}"`);
  return {
    knex,
    drop: async () => {
      await knex.destroy();
      await db.drop();
    },
  };
}

export async function startMariadb(data: Seed): Promise<TestEngine> {
  const name = `lt_test_${randomBytes(6).toString('hex')}`;
  const url = new URL(MYSQL_URL);
  const connection = {
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username || 'root'),
    password: decodeURIComponent(url.password),
  };
  const admin = knexFactory({ client: 'mysql2', connection });
  await admin.raw(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`);
  await admin.destroy();
  const knex = knexFactory({
    client: 'mysql2',
    connection: { ...connection, database: name, charset: 'utf8mb4', timezone: 'Z', supportBigNumbers: true },
    pool: {
      min: 0,
      max: 4,
      afterCreate: (
        conn: { query: (sql: string, cb: (err: Error | null) => void) => void },
        done: (err: Error | null, conn: unknown) => void,
      ) =>
        conn.query("SET time_zone = '+00:00', sql_mode = CONCAT(@@sql_mode, ',ONLY_FULL_GROUP_BY')", (err) =>
          done(err, conn),
        ),
    },
  });
  for (const ddl of MYSQL_DDL) await knex.raw(ddl);
  await seed(knex, data, forMysql, (n) => `\`${n.replaceAll('`', '``')}\``);
  return {
    knex,
    drop: async () => {
      await knex.raw(`DROP DATABASE IF EXISTS \`${name}\``);
      await knex.destroy();
    },
  };
}
