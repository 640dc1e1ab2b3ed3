import { expect } from 'chai';
import { caught } from '../../support/caught.js';
import type { DiscoveredSchema } from '../../../dataplane/src/adapters/adapter.js';
import { PostgresAdapter } from '../../../dataplane/src/adapters/postgres/postgres.adapter.js';
import {
  BadRequestError,
  ForbiddenError,
  GatewayTimeoutError,
} from '../../../dataplane/src/platform/errors.js';
import { createPgFixture, type PgFixture } from './pg-fixture.js';

describe('PostgreSQL adapter (real server)', () => {
  let fx: PgFixture;
  let adapter: PostgresAdapter;
  let readOnly: PostgresAdapter;
  before(async () => {
    fx = await createPgFixture();
    adapter = new PostgresAdapter(fx.settings());
    readOnly = new PostgresAdapter(fx.settings({ readOnly: true }));
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
      expect(result.latencyMs).to.be.a('number');
    });

    it('answers a failed test without throwing, and without the password in the message', async () => {
      const bad = new PostgresAdapter(fx.settings({ database: 'no_such_db_here', password: 's3cr3t-pw' }));
      const result = await bad.testConnection();
      await bad.disconnect();
      expect(result.ok).to.equal(false);
      expect(result.error).to.match(/no_such_db_here/);
      expect(result.error).not.to.include('s3cr3t-pw');
    });

    it('reconnects after disconnect', async () => {
      const own = new PostgresAdapter(fx.settings());
      await own.connect();
      await own.disconnect();
      await own.disconnect();
      expect((await own.executeRawQuery({ sql: 'SELECT 1 AS one' })).rows).to.deep.equal([{ one: 1 }]);
      await own.disconnect();
    });
  });

  describe('schema discovery', () => {
    let schema: DiscoveredSchema;
    before(async () => {
      schema = await adapter.discoverSchema();
    });
    const table = (s: string, n: string) => schema.tables.find((t) => t.schema === s && t.name === n);

    it('lists user schemas and relations, without pg_* and information_schema', () => {
      expect(schema.schemas).to.deep.equal(['crm', 'public']);
      expect(schema.tables.map((t) => `${t.schema}.${t.name}:${t.kind}`)).to.deep.equal([
        'crm.active_people:view',
        'crm.companies:table',
        'crm.people:table',
        'public.never_analyzed:table',
        'public.pair_refs:table',
        'public.pairs:table',
      ]);
    });

    it('describes a table exactly: columns, types, nullability, defaults, keys, indexes, estimate', () => {
      expect(table('crm', 'companies')).to.deep.equal({
        schema: 'crm',
        name: 'companies',
        kind: 'table',
        rowEstimate: 3,
        columns: [
          {
            name: 'id',
            type: 'integer',
            nullable: false,
            nativeType: 'integer',
            default: "nextval('crm.companies_id_seq'::regclass)",
          },
          { name: 'name', type: 'text', nullable: false, nativeType: 'text', default: null },
          { name: 'country', type: 'text', nullable: true, nativeType: 'character(2)', default: null },
          { name: 'founded', type: 'date', nullable: true, nativeType: 'date', default: null },
          {
            name: 'created_at',
            type: 'datetime',
            nullable: false,
            nativeType: 'timestamp with time zone',
            default: 'now()',
          },
        ],
        primaryKey: ['id'],
        foreignKeys: [],
        indexes: [
          { name: 'companies_name_key', columns: ['name'], unique: true },
          { name: 'companies_pkey', columns: ['id'], unique: true },
        ],
      });
    });

    it('maps every column type of people to its logical type', () => {
      const people = table('crm', 'people');
      expect(people?.columns.map((c) => [c.name, c.type, c.nullable, c.nativeType, c.default])).to.deep.equal(
        [
          ['id', 'integer', false, 'bigint', 'generated always as identity'],
          ['company_id', 'integer', true, 'integer', null],
          ['full_name', 'text', false, 'character varying(100)', null],
          ['email', 'text', true, 'text', null],
          ['score', 'number', true, 'numeric(5,2)', null],
          ['active', 'boolean', false, 'boolean', 'true'],
          ['tags', 'json', true, 'text[]', null],
          ['profile', 'json', true, 'jsonb', null],
          ['external_id', 'uuid', true, 'uuid', null],
          ['stage', 'text', true, 'crm.stage', "'new'::crm.stage"],
        ],
      );
      expect(people?.rowEstimate).to.equal(5);
      expect(people?.foreignKeys).to.deep.equal([
        {
          name: 'people_company_id_fkey',
          columns: ['company_id'],
          refSchema: 'crm',
          refTable: 'companies',
          refColumns: ['id'],
        },
      ]);
      expect(people?.indexes).to.deep.equal([
        { name: 'people_company_idx', columns: ['company_id', 'full_name'], unique: false },
        { name: 'people_email_lower_idx', columns: ['lower(email)'], unique: false },
        { name: 'people_pkey', columns: ['id'], unique: true },
      ]);
    });

    it('describes views, composite foreign keys and tables never analysed', () => {
      expect(table('crm', 'active_people')).to.deep.equal({
        schema: 'crm',
        name: 'active_people',
        kind: 'view',
        rowEstimate: null,
        columns: [
          { name: 'id', type: 'integer', nullable: true, nativeType: 'bigint', default: null },
          {
            name: 'full_name',
            type: 'text',
            nullable: true,
            nativeType: 'character varying(100)',
            default: null,
          },
          { name: 'company_id', type: 'integer', nullable: true, nativeType: 'integer', default: null },
        ],
        primaryKey: [],
        foreignKeys: [],
        indexes: [],
      });
      expect(table('public', 'pair_refs')?.foreignKeys).to.deep.equal([
        {
          name: 'pair_refs_pair_fk',
          columns: ['a', 'b'],
          refSchema: 'public',
          refTable: 'pairs',
          refColumns: ['a', 'b'],
        },
      ]);
      expect(table('public', 'pairs')?.primaryKey).to.deep.equal(['a', 'b']);
      expect(table('public', 'never_analyzed')?.rowEstimate).to.equal(null);
    });
  });

  describe('raw queries', () => {
    it('binds parameters; an injection attempt is just a value', async () => {
      const sql = 'SELECT full_name FROM crm.people WHERE email = $1 ORDER BY id';
      expect((await adapter.executeRawQuery({ sql, params: ['ada@acme.test'] })).rows).to.deep.equal([
        { full_name: 'Ada Lovelace' },
      ]);
      const injected = await adapter.executeRawQuery({ sql, params: ["' OR '1'='1"] });
      expect(injected).to.deep.equal({ rows: [], truncated: false });
    });

    it('returns unicode, nulls, dates, arrays and json as values', async () => {
      const { rows } = await adapter.executeRawQuery({
        sql: `SELECT c.name, c.founded, p.tags, p.profile, p.email, p.id
              FROM crm.people p JOIN crm.companies c ON c.id = p.company_id WHERE p.company_id = ANY($1) ORDER BY p.id`,
        params: [[2, 3]],
      });
      expect(rows).to.deep.equal([
        {
          name: 'Zoë Ünïcødé GmbH',
          founded: null,
          tags: [],
          profile: { lang: 'de' },
          email: 'juergen@zoe.test',
          id: 3,
        },
        {
          name: '東京商事 🚀',
          founded: '2010-01-01',
          tags: ['営業'],
          profile: { lang: 'ja' },
          email: 'taro@tokyo.test',
          id: 4,
        },
      ]);
    });

    it('refuses two statements in one raw query', async () => {
      const error = await caught(adapter.executeRawQuery({ sql: 'SELECT 1; DROP TABLE crm.people' }));
      expect(error).to.be.instanceOf(BadRequestError).with.property('code', 'multiple_statements');
    });

    it('answers a query the server rejects as a 400 with its message', async () => {
      const error = await caught(adapter.executeRawQuery({ sql: 'SELECT nope FROM crm.people' }));
      expect(error).to.be.instanceOf(BadRequestError).with.property('code', 'source_query_failed');
      expect((error as Error).message).to.match(/column "nope" does not exist/);
    });

    it('refuses a pipeline', async () => {
      const error = await caught(adapter.executeRawQuery({ collection: 'people', pipeline: [] }));
      expect(error).to.be.instanceOf(BadRequestError).with.property('code', 'raw_query_unsupported');
    });
  });

  describe('read-only connections', () => {
    const companies = async () =>
      (await fx.admin.query('SELECT count(*)::int AS n FROM crm.companies')).rows[0].n;

    it('refuse INSERT, UPDATE, DELETE and DDL before they reach the server', async () => {
      const before = await companies();
      for (const sql of [
        "INSERT INTO crm.companies (name) VALUES ('x')",
        "UPDATE crm.companies SET name = 'x'",
        'DELETE FROM crm.companies',
        'DROP TABLE crm.people',
        'CREATE TABLE crm.evil (a int)',
      ]) {
        const error = await caught(readOnly.executeRawQuery({ sql }));
        expect(error, sql).to.be.instanceOf(ForbiddenError).with.property('code', 'read_only_connection');
      }
      expect(await companies()).to.equal(before);
    });

    it('block writes smuggled into a function or a WITH through the READ ONLY transaction', async () => {
      const before = await companies();
      for (const sql of [
        'SELECT crm.sneaky_write()',
        'WITH gone AS (DELETE FROM crm.companies RETURNING id) SELECT count(*) FROM gone',
      ]) {
        const error = await caught(readOnly.executeRawQuery({ sql }));
        expect(error, sql).to.be.instanceOf(ForbiddenError).with.property('code', 'read_only_connection');
        expect((error as Error).message, sql).to.match(/read-only transaction/);
      }
      expect(await companies()).to.equal(before);
    });

    it('run LQP statements read-only, also on a session where caller SQL lifted the default', async () => {
      await fx.admin.query('CREATE VIEW crm.sneaky_view AS SELECT crm.sneaky_write() AS n');
      try {
        const before = await companies();
        const lqp = {
          source: { schema: 'crm', table: 'sneaky_view' },
          pagination: { mode: 'offset', limit: 5, offset: 0 },
        };
        const refused = async () => {
          const error = await caught(readOnly.executeLogicalQuery(lqp as never));
          expect(error).to.be.instanceOf(ForbiddenError).with.property('code', 'read_only_connection');
        };
        await refused();
        await readOnly.executeRawQuery({
          sql: "SELECT set_config('default_transaction_read_only', 'off', false) AS lifted",
        });
        for (let i = 0; i < 8; i++) await refused(); // twice the pool: whichever session answers
        expect(await companies()).to.equal(before);
        const { rows } = await adapter.executeLogicalQuery(lqp as never);
        expect(rows).to.deep.equal([{ n: 1 }]); // the same view writes through a read-write connection
      } finally {
        await fx.admin.query('DROP VIEW crm.sneaky_view');
        await fx.admin.query("DELETE FROM crm.companies WHERE name = 'sneaky'");
      }
    });

    it('still read', async () => {
      const { rows } = await readOnly.executeRawQuery({ sql: 'SELECT count(*)::int AS n FROM crm.people' });
      expect(rows).to.deep.equal([{ n: 5 }]);
      expect((await readOnly.executeRawQuery({ sql: 'SHOW transaction_read_only' })).rows).to.deep.equal([
        { transaction_read_only: 'on' },
      ]);
    });
  });

  describe('limits', () => {
    it('cancels a statement over the timeout with a clear 504', async () => {
      const slow = new PostgresAdapter(fx.settings({ statementTimeoutMs: 200 }));
      const error = await caught(slow.executeRawQuery({ sql: 'SELECT pg_sleep(30)' }));
      await slow.disconnect();
      expect(error).to.be.instanceOf(GatewayTimeoutError).with.property('code', 'statement_timeout');
      expect((error as Error).message).to.match(/statement timeout \(200 ms\)/);
    });

    it('cuts results at the row cap and says so', async () => {
      const capped = new PostgresAdapter(fx.settings({ rowCap: 5 }));
      const sql = 'SELECT g FROM generate_series(1, $1::int) g';
      const many = await capped.executeRawQuery({ sql, params: [100_000] });
      const exact = await capped.executeRawQuery({ sql, params: [5] });
      await capped.disconnect();
      expect(many).to.deep.equal({ rows: [1, 2, 3, 4, 5].map((g) => ({ g })), truncated: true });
      expect(exact.truncated).to.equal(false);
      expect(exact.rows).to.have.length(5);
    });
  });
});
