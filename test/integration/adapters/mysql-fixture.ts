import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import type { ConnectionSettings } from '../../../dataplane/src/adapters/adapter.js';

/** The machine's MariaDB (DESIGN §7); override with TEST_MYSQL_URL. */
export const MYSQL_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

/** The same CRM-like shape as the Postgres fixture, in MySQL terms. */
export const MYSQL_SEED = [
  `CREATE TABLE companies (
    id int AUTO_INCREMENT PRIMARY KEY,
    name varchar(200) NOT NULL,
    country char(2),
    founded date,
    created_at datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE KEY companies_name_key (name)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
  `CREATE TABLE people (
    id bigint AUTO_INCREMENT PRIMARY KEY,
    company_id int,
    full_name varchar(100) NOT NULL,
    email text,
    score decimal(5,2),
    active tinyint(1) NOT NULL DEFAULT 1,
    stage enum('new','won','lost') DEFAULT 'new',
    photo blob,
    KEY people_company_idx (company_id, full_name),
    CONSTRAINT people_company_fk FOREIGN KEY (company_id) REFERENCES companies (id)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
  `CREATE VIEW active_people AS SELECT id, full_name, company_id FROM people WHERE active = 1`,
  `CREATE TABLE pairs (a int, b int, PRIMARY KEY (a, b)) ENGINE=InnoDB`,
  `CREATE TABLE pair_refs (id int PRIMARY KEY, a int, b int,
    CONSTRAINT pair_refs_pair_fk FOREIGN KEY (a, b) REFERENCES pairs (a, b)) ENGINE=InnoDB`,
  `INSERT INTO companies (name, country, founded) VALUES
    ('Acme', 'US', '1999-12-31'), ('Zoë Ünïcødé GmbH', 'DE', NULL), ('東京商事 🚀', 'JP', '2010-01-01')`,
  `INSERT INTO people (company_id, full_name, email, score, active, stage) VALUES
    (1, 'Ada Lovelace', 'ada@acme.test', 99.50, 1, 'won'),
    (1, 'Bob Null', NULL, NULL, 1, NULL),
    (2, 'Jürgen Groß', 'juergen@zoe.test', 50.25, 0, 'lost'),
    (3, '山田 太郎', 'taro@tokyo.test', 75.00, 1, 'new'),
    (NULL, 'Freelancer Ω', 'omega@free.test', 10.00, 1, 'new')`,
  `INSERT INTO pairs VALUES (1, 1), (1, 2)`,
  `INSERT INTO pair_refs VALUES (1, 1, 2)`,
  `CREATE FUNCTION sneaky_write() RETURNS int MODIFIES SQL DATA
     BEGIN INSERT INTO companies (name) VALUES ('sneaky'); RETURN 1; END`,
  `ANALYZE TABLE companies, people, pairs, pair_refs`,
];

export interface MysqlFixture {
  database: string;
  settings: (overrides?: Partial<ConnectionSettings>) => ConnectionSettings;
  admin: mysql.Connection;
  drop(): Promise<void>;
}

/** A fresh `lt_test_<random>` database, seeded; `drop` removes it. */
export async function createMysqlFixture(seed = MYSQL_SEED): Promise<MysqlFixture> {
  const url = new URL(MYSQL_URL);
  const database = `lt_test_${randomBytes(6).toString('hex')}`;
  const admin = await mysql.createConnection({
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    charset: 'utf8mb4',
  });
  await admin.query(`CREATE DATABASE ${database} CHARACTER SET utf8mb4`);
  await admin.query(`USE ${database}`);
  for (const statement of seed) await admin.query(statement);
  return {
    database,
    admin,
    settings: (overrides = {}) => ({
      id: `my-${database}`,
      type: 'mysql',
      host: url.hostname,
      port: Number(url.port || 3306),
      database,
      username: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      readOnly: false,
      statementTimeoutMs: 10_000,
      rowCap: 1_000,
      pool: { max: 4, idleMs: 10_000 },
      ...overrides,
    }),
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${database}`);
      await admin.end();
    },
  };
}
