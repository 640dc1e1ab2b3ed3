import { expect } from 'chai';
import { caught } from '../../support/caught.js';
import type { DiscoveredSchema } from '../../../dataplane/src/adapters/adapter.js';
import { MysqlAdapter } from '../../../dataplane/src/adapters/mysql/mysql.adapter.js';
import {
  BadRequestError,
  ForbiddenError,
  GatewayTimeoutError,
  ValidationError,
} from '../../../dataplane/src/platform/errors.js';
import { createMysqlFixture, type MysqlFixture } from './mysql-fixture.js';

describe('MySQL adapter (real MariaDB)', () => {
  let fx: MysqlFixture;
  let adapter: MysqlAdapter;
  let readOnly: MysqlAdapter;
  before(async () => {
    fx = await createMysqlFixture();
    adapter = new MysqlAdapter(fx.settings());
    readOnly = new MysqlAdapter(fx.settings({ readOnly: true }));
    await adapter.connect();
  });
  after(async () => {
    await adapter.disconnect();
    await readOnly.disconnect();
    await fx.drop();
  });

  describe('connection', () => {
    it('tests the connection and reports the server version', async () => {
      const result = await adapter.testConnection();
      expect(result.ok).to.equal(true);
      expect(result.serverVersion).to.match(/^\d+\.\d+/);
    });

    it('answers a failed test without throwing, and without the password in the message', async () => {
      const bad = new MysqlAdapter(fx.settings({ username: 'nobody_here', password: 's3cr3t-pw' }));
      const result = await bad.testConnection();
      await bad.disconnect();
      expect(result.ok).to.equal(false);
      expect(result.error).to.match(/Access denied/);
      expect(result.error).not.to.include('s3cr3t-pw');
    });

    it('connects to the vetted address and never resolves the original name', async () => {
      const vetted = new MysqlAdapter(
        fx.settings({ host: '127.0.0.1', servername: 'db.does-not-resolve.invalid' }),
      );
      const result = await vetted.testConnection();
      await vetted.disconnect();
      expect(result.ok, result.error).to.equal(true);
    });
  });

  describe('schema discovery', () => {
    let schema: DiscoveredSchema;
    before(async () => {
      schema = await adapter.discoverSchema();
    });
    const table = (n: string) => schema.tables.find((t) => t.name === n);

    it("lists the connection's database, its tables and views", () => {
      expect(schema.schemas).to.deep.equal([fx.database]);
      expect(
        schema.tables.map((t) => `${t.schema === fx.database ? '' : t.schema}${t.name}:${t.kind}`),
      ).to.deep.equal([
        'active_people:view',
        'companies:table',
        'pair_refs:table',
        'pairs:table',
        'people:table',
      ]);
    });

    it('describes a table exactly: columns, types, nullability, defaults, keys, indexes, estimate', () => {
      expect(table('companies')).to.deep.equal({
        schema: fx.database,
        name: 'companies',
        kind: 'table',
        rowEstimate: 3,
        columns: [
          { name: 'id', type: 'integer', nullable: false, nativeType: 'int(11)', default: 'auto_increment' },
          { name: 'name', type: 'text', nullable: false, nativeType: 'varchar(200)', default: null },
          { name: 'country', type: 'text', nullable: true, nativeType: 'char(2)', default: null },
          { name: 'founded', type: 'date', nullable: true, nativeType: 'date', default: null },
          {
            name: 'created_at',
            type: 'datetime',
            nullable: false,
            nativeType: 'datetime',
            default: 'current_timestamp()',
          },
        ],
        primaryKey: ['id'],
        foreignKeys: [],
        indexes: [
          { name: 'PRIMARY', columns: ['id'], unique: true },
          { name: 'companies_name_key', columns: ['name'], unique: true },
        ],
      });
    });

    it('maps column types (tinyint(1) is boolean) and reads keys and indexes', () => {
      const people = table('people');
      expect(people?.columns.map((c) => [c.name, c.type, c.nullable, c.nativeType, c.default])).to.deep.equal(
        [
          ['id', 'integer', false, 'bigint(20)', 'auto_increment'],
          ['company_id', 'integer', true, 'int(11)', null],
          ['full_name', 'text', false, 'varchar(100)', null],
          ['email', 'text', true, 'text', null],
          ['score', 'number', true, 'decimal(5,2)', null],
          ['active', 'boolean', false, 'tinyint(1)', '1'],
          ['stage', 'text', true, "enum('new','won','lost')", "'new'"],
          ['photo', 'binary', true, 'blob', null],
        ],
      );
      expect(people?.rowEstimate).to.equal(5);
      expect(people?.foreignKeys).to.deep.equal([
        {
          name: 'people_company_fk',
          columns: ['company_id'],
          refSchema: fx.database,
          refTable: 'companies',
          refColumns: ['id'],
        },
      ]);
      expect(people?.indexes).to.deep.equal([
        { name: 'PRIMARY', columns: ['id'], unique: true },
        { name: 'people_company_idx', columns: ['company_id', 'full_name'], unique: false },
      ]);
      expect(table('pair_refs')?.foreignKeys).to.deep.equal([
        {
          name: 'pair_refs_pair_fk',
          columns: ['a', 'b'],
          refSchema: fx.database,
          refTable: 'pairs',
          refColumns: ['a', 'b'],
        },
      ]);
      expect(table('pairs')?.primaryKey).to.deep.equal(['a', 'b']);
    });

    it('describes views without keys or estimates', () => {
      expect(table('active_people')).to.deep.equal({
        schema: fx.database,
        name: 'active_people',
        kind: 'view',
        rowEstimate: null,
        columns: [
          { name: 'id', type: 'integer', nullable: false, nativeType: 'bigint(20)', default: null },
          { name: 'full_name', type: 'text', nullable: false, nativeType: 'varchar(100)', default: null },
          { name: 'company_id', type: 'integer', nullable: true, nativeType: 'int(11)', default: null },
        ],
        primaryKey: [],
        foreignKeys: [],
        indexes: [],
      });
    });
  });

  describe('raw queries', () => {
    it('binds parameters; an injection attempt is just a value', async () => {
      const sql = 'SELECT full_name FROM people WHERE email = ? ORDER BY id';
      expect((await adapter.executeRawQuery({ sql, params: ['ada@acme.test'] })).rows).to.deep.equal([
        { full_name: 'Ada Lovelace' },
      ]);
      expect(await adapter.executeRawQuery({ sql, params: ["' OR '1'='1"] })).to.deep.equal({
        rows: [],
        truncated: false,
      });
    });

    it('returns unicode, nulls and dates as values', async () => {
      const { rows } = await adapter.executeRawQuery({
        sql: `SELECT c.name, c.founded, p.email, p.score FROM people p JOIN companies c ON c.id = p.company_id
              WHERE p.company_id IN (?, ?) ORDER BY p.id`,
        params: [2, 3],
      });
      expect(rows).to.deep.equal([
        { name: 'Zoë Ünïcødé GmbH', founded: null, email: 'juergen@zoe.test', score: '50.25' },
        { name: '東京商事 🚀', founded: '2010-01-01', email: 'taro@tokyo.test', score: '75.00' },
      ]);
    });

    it('refuses two statements, and reports server errors as 400', async () => {
      expect(await caught(adapter.executeRawQuery({ sql: 'SELECT 1; DROP TABLE people' })))
        .to.be.instanceOf(BadRequestError)
        .with.property('code', 'multiple_statements');
      const error = await caught(adapter.executeRawQuery({ sql: 'SELECT nope FROM people' }));
      expect(error).to.be.instanceOf(BadRequestError).with.property('code', 'source_query_failed');
      expect((error as Error).message).to.match(/Unknown column 'nope'/);
    });

    it('cannot read local files (LOCAL INFILE disabled)', async () => {
      const error = await caught(
        adapter.executeRawQuery({ sql: "LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE pairs" }),
      );
      expect(error).to.be.instanceOf(BadRequestError);
      expect((error as Error).message).to.match(/local infile capability/);
      expect((await fx.admin.query('SELECT count(*) AS n FROM pairs'))[0]).to.deep.equal([{ n: 2 }]);
    });
  });

  describe('read-only connections', () => {
    const companies = async () =>
      ((await fx.admin.query('SELECT count(*) AS n FROM companies'))[0] as { n: number }[])[0]?.n;

    it('refuse INSERT, UPDATE, DELETE and DDL before they reach the server', async () => {
      const before = await companies();
      for (const sql of [
        "INSERT INTO companies (name) VALUES ('x')",
        "UPDATE companies SET name = 'x'",
        'DELETE FROM companies',
        'DROP TABLE people',
        'CREATE TABLE evil (a int)',
        "SELECT 1 INTO OUTFILE '/tmp/lt-evil'",
      ]) {
        const error = await caught(readOnly.executeRawQuery({ sql }));
        expect(error, sql).to.be.instanceOf(ForbiddenError).with.property('code', 'read_only_connection');
      }
      expect(await companies()).to.equal(before);
    });

    it('block a write smuggled into a function through START TRANSACTION READ ONLY', async () => {
      const before = await companies();
      const error = await caught(readOnly.executeRawQuery({ sql: 'SELECT sneaky_write()' }));
      expect(error).to.be.instanceOf(ForbiddenError).with.property('code', 'read_only_connection');
      expect(await companies()).to.equal(before);
      expect(
        (await readOnly.executeRawQuery({ sql: 'SELECT count(*) AS n FROM people' })).rows,
      ).to.deep.equal([{ n: 5 }]);
    });

    it('show no columns of a view over a writing function, so LQP cannot read it; nothing is written', async () => {
      // MariaDB cannot open such a view in a read-only session (discovery runs in one, and
      // every LQP statement runs in one by the session's READ ONLY default).
      await fx.admin.query('CREATE VIEW sneaky_view AS SELECT sneaky_write() AS n');
      try {
        const before = await companies();
        const lqp = { source: { table: 'sneaky_view' }, pagination: { mode: 'offset', limit: 5, offset: 0 } };
        const error = await caught(readOnly.executeLogicalQuery(lqp as never));
        expect(error).to.be.instanceOf(ValidationError);
        expect((error as ValidationError).errors).to.deep.include({
          path: 'select',
          message: 'the source shows no columns this connection can read; name a field',
        });
        expect(await companies()).to.equal(before);
      } finally {
        await fx.admin.query('DROP VIEW sneaky_view');
      }
    });
  });

  describe('limits', () => {
    it('interrupts a statement over the timeout with a clear 504', async () => {
      const slow = new MysqlAdapter(fx.settings({ statementTimeoutMs: 200 }));
      const error = await caught(slow.executeRawQuery({ sql: 'SELECT SLEEP(30)' }));
      await slow.disconnect();
      expect(error).to.be.instanceOf(GatewayTimeoutError).with.property('code', 'statement_timeout');
      expect((error as Error).message).to.match(/statement timeout \(200 ms\)/);
    });

    it('cuts results at the row cap and says so, then serves uncapped discovery on the same pool', async () => {
      const capped = new MysqlAdapter(fx.settings({ rowCap: 3, pool: { max: 1, idleMs: 10_000 } }));
      const sql = `WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) SELECT i FROM n`;
      const many = await capped.executeRawQuery({ sql, params: [1000] });
      const exact = await capped.executeRawQuery({ sql, params: [3] });
      const discovered = await capped.discoverSchema();
      await capped.disconnect();
      expect(many).to.deep.equal({ rows: [{ i: 1 }, { i: 2 }, { i: 3 }], truncated: true });
      expect(exact).to.deep.equal({ rows: [{ i: 1 }, { i: 2 }, { i: 3 }], truncated: false });
      expect(discovered.tables.flatMap((t) => t.columns)).to.have.length(21);
    });
  });
});
