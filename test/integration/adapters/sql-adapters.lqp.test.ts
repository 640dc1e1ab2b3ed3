import { MysqlAdapter } from '../../../dataplane/src/adapters/mysql/mysql.adapter.js';
import { PostgresAdapter } from '../../../dataplane/src/adapters/postgres/postgres.adapter.js';
import { describeLogicalQueries } from './lqp-suite.js';
import { createMysqlFixture } from './mysql-fixture.js';
import { createPgFixture } from './pg-fixture.js';

describeLogicalQueries('PostgreSQL', async () => {
  const fx = await createPgFixture();
  return {
    schema: 'crm',
    adapter: (overrides) => new PostgresAdapter(fx.settings(overrides)),
    exec: async (sql) => void (await fx.admin.query(sql)),
    seedBig: async () => {
      await fx.admin.query(`
        CREATE TABLE big AS SELECT g AS id, g % 7 AS bucket, 'row ' || g AS label FROM generate_series(1, 100000) g;
        ALTER TABLE big ADD PRIMARY KEY (id);
        ANALYZE big;`);
    },
    teardown: () => fx.drop(),
  };
});

describeLogicalQueries('MySQL', async () => {
  const fx = await createMysqlFixture();
  return {
    schema: undefined,
    adapter: (overrides) => new MysqlAdapter(fx.settings(overrides)),
    exec: async (sql) => void (await fx.admin.query(sql)),
    seedBig: async () => {
      await fx.admin.query('SET SESSION max_recursive_iterations = 200000');
      await fx.admin.query(
        'CREATE TABLE big (id int PRIMARY KEY, bucket int NOT NULL, label varchar(40) NOT NULL)',
      );
      await fx.admin.query(`
        INSERT INTO big (id, bucket, label)
        WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
        SELECT i, i % 7, CONCAT('row ', i) FROM n`);
    },
    teardown: () => fx.drop(),
  };
});
