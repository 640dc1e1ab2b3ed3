import { expect } from 'chai';
import pg from 'pg';
import type { TenantDatabaseSpec } from '../../../../operator/src/provision/tenant-provisioner.js';
import { TenantProvisioner } from '../../../../operator/src/provision/tenant-provisioner.js';
import { createLogger } from '../../../../dataplane/src/platform/logger.js';
import { caught } from '../../../support/caught.js';
import { createPlatformDatabase, type PlatformDatabase } from '../support/platform-database.js';

/** Runs `work` as the tenant, through its own DATABASE_URL. */
async function asTenant<T>(spec: TenantDatabaseSpec, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: spec.databaseUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const sqlState = (error: unknown) => (error as { code?: string }).code;

/** Everything provisioning decides, read from the catalogs, to prove a second run changes nothing. */
async function catalogState(platform: PlatformDatabase, schema: string) {
  return platform.admin(async (c) => {
    const role = await c.query(
      'SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolconnlimit FROM pg_roles WHERE rolname = $1',
      [schema],
    );
    const ns = await c.query(
      'SELECT nspacl::text AS acl, pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname = $1',
      [schema],
    );
    const publicAcl = await c.query("SELECT nspacl::text AS acl FROM pg_namespace WHERE nspname = 'public'");
    const relations = await c.query(
      `SELECT c.relname, c.relkind, pg_get_userbyid(c.relowner) AS owner, c.xmin::text AS version
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 ORDER BY 1`,
      [schema],
    );
    const migrations = await c.query(
      `SELECT name FROM ${pg.escapeIdentifier(schema)}.lt_migrations_control
       UNION ALL SELECT name FROM ${pg.escapeIdentifier(schema)}.lt_migrations_workspace ORDER BY 1`,
    );
    return {
      role: role.rows,
      ns: ns.rows,
      publicAcl: publicAcl.rows,
      relations: relations.rows,
      migrations: migrations.rows,
    };
  });
}

describe('operator: tenant provisioning on PostgreSQL', function () {
  this.timeout(60_000);
  let platform: PlatformDatabase;
  let a: TenantDatabaseSpec;
  let b: TenantDatabaseSpec;

  before(async () => {
    platform = await createPlatformDatabase();
    // As PostgreSQL before 15 did: everyone may create in `public`. Provisioning must take it back.
    await platform.admin((c) => c.query('GRANT CREATE ON SCHEMA public TO PUBLIC'));
    a = platform.spec(platform.tenantName('alpha'));
    b = platform.spec(platform.tenantName('beta'));
    await platform.provisioner.provision(a);
    await platform.provisioner.provision(b);
  });
  after(() => platform.drop());

  it('creates each role with LOGIN, no superuser, createdb or createrole, and its connection limit', async () => {
    for (const spec of [a, b]) {
      const state = await catalogState(platform, spec.schema);
      expect(state.role).to.deep.equal([
        {
          rolcanlogin: true,
          rolsuper: false,
          rolcreatedb: false,
          rolcreaterole: false,
          rolconnlimit: spec.connectionLimit,
        },
      ]);
      expect(state.ns[0]?.owner).to.equal(spec.schema);
    }
  });

  it("runs the dataplane's tenant-mode migrations into the schema as the tenant role", async () => {
    const state = await catalogState(platform, a.schema);
    const tables = state.relations.filter((r) => r.relkind === 'r').map((r) => r.relname);
    expect(tables).to.include.members([
      'users',
      'workspaces',
      'workspace_members',
      'resource_directory',
      'connections',
      'data_keys',
      'bases',
      'tables',
      'columns',
      'audit_logs',
      'lt_migrations_control',
      'lt_migrations_workspace',
    ]);
    expect(new Set(state.relations.map((r) => r.owner))).to.deep.equal(new Set([a.schema]));
    expect(state.migrations.map((m) => m.name)).to.include('006-connection-managed-by');
    const rows = await asTenant(a, (c) => c.query('SELECT slug, name, schema_name FROM workspaces'));
    expect(rows.rows).to.deep.equal([{ slug: a.slug, name: a.displayName, schema_name: a.schema }]);
  });

  it("keeps one tenant's role out of another tenant's schema", async () => {
    const error = await caught(asTenant(a, (c) => c.query(`SELECT * FROM ${b.schema}.connections`)));
    expect(sqlState(error), String(error)).to.equal('42501');
    expect(String(error)).to.match(/permission denied for schema/);
    const reverse = await caught(asTenant(b, (c) => c.query(`SELECT * FROM ${a.schema}.users`)));
    expect(sqlState(reverse)).to.equal('42501');
    const write = await caught(
      asTenant(a, (c) => c.query(`INSERT INTO ${b.schema}.bases (id) VALUES (gen_random_uuid())`)),
    );
    expect(sqlState(write)).to.equal('42501');
  });

  it('lets no tenant role create objects in public (PUBLIC lost the CREATE it had)', async () => {
    for (const spec of [a, b]) {
      const error = await caught(asTenant(spec, (c) => c.query('CREATE TABLE public.sneaky (x int)')));
      expect(sqlState(error), String(error)).to.equal('42501');
    }
    const may = await platform.admin((c) =>
      c.query("SELECT has_schema_privilege('public', 'public', 'CREATE') AS may"),
    );
    expect(may.rows[0].may).to.equal(false);
  });

  it('lets each role use its own schema', async () => {
    for (const spec of [a, b]) {
      const rows = await asTenant(spec, async (c) => {
        await c.query('CREATE TABLE own_scratch (x int)');
        await c.query('INSERT INTO own_scratch VALUES (1), (2)');
        const result = await c.query(`SELECT sum(x)::int AS s FROM ${spec.schema}.own_scratch`);
        await c.query('DROP TABLE own_scratch');
        return result.rows;
      });
      expect(rows).to.deep.equal([{ s: 3 }]);
    }
  });

  it('changes nothing on a second run', async () => {
    const before = await catalogState(platform, a.schema);
    const outcome = await platform.provisioner.provision(a);
    expect(outcome).to.deep.equal({
      roleCreated: false,
      roleChanged: [],
      passwordReset: false,
      schemaCreated: false,
      revoked: [],
      migrations: [],
    });
    expect(await catalogState(platform, a.schema)).to.deep.equal(before);
  });

  it('corrects a changed connection limit without touching the rest', async () => {
    const outcome = await platform.provisioner.provision({ ...a, connectionLimit: a.connectionLimit + 10 });
    expect(outcome.roleChanged).to.deep.equal([`CONNECTION LIMIT ${a.connectionLimit + 10}`]);
    expect((await platform.provisioner.provision(a)).roleChanged).to.deep.equal([
      `CONNECTION LIMIT ${a.connectionLimit}`,
    ]);
  });

  it('provisions the same tenant from several reconciles at once exactly once', async () => {
    const spec = platform.spec(platform.tenantName('gamma'));
    const log = createLogger('silent');
    const pools = [0, 1, 2].map(() => new pg.Pool({ connectionString: platform.url, max: 2 }));
    try {
      const outcomes = await Promise.all(
        pools.map((pool) => new TenantProvisioner(pool, log).provision(spec)),
      );
      expect(outcomes.filter((o) => o.roleCreated)).to.have.length(1);
      expect(outcomes.filter((o) => o.schemaCreated)).to.have.length(1);
      const applied = outcomes.flatMap((o) => o.migrations);
      expect(applied).to.have.length(new Set(applied).size);
      const state = await catalogState(platform, spec.schema);
      expect(state.migrations.map((m) => m.name).sort()).to.deep.equal(
        applied.map((name) => name.split('/')[1]).sort(),
      );
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it('Retain: the role stops logging in, its sessions end, schema and data stay; provisioning again restores login', async () => {
    const spec = platform.spec(platform.tenantName('kept'));
    await platform.provisioner.provision(spec);
    await asTenant(spec, (c) => c.query("CREATE TABLE notes AS SELECT 'Kept'::text AS name"));
    const open = new pg.Client({ connectionString: spec.databaseUrl });
    await open.connect();
    const ended = new Promise<unknown>((resolve) => open.on('error', resolve));
    const outcome = await platform.provisioner.deprovision(spec.schema, 'Retain');
    expect(outcome).to.include({
      policy: 'Retain',
      loginDisabled: true,
      schemaDropped: false,
      roleDropped: false,
    });
    expect(outcome.sessionsEnded).to.be.at.least(1);
    expect(String(await ended)).to.match(/terminat/);
    await open.end().catch(() => undefined);

    const state = await catalogState(platform, spec.schema);
    expect(state.role[0]).to.include({ rolcanlogin: false });
    const login = await caught(asTenant(spec, (c) => c.query('SELECT 1')));
    expect(String(login)).to.match(/not permitted to log in/);
    const notes = await platform.admin((c) => c.query(`SELECT name FROM ${spec.schema}.notes`));
    expect(notes.rows).to.deep.equal([{ name: 'Kept' }]);
    expect((await platform.provisioner.deprovision(spec.schema, 'Retain')).loginDisabled).to.equal(false);

    const again = await platform.provisioner.provision(spec);
    expect(again).to.include({ roleCreated: false, schemaCreated: false });
    expect(again.roleChanged).to.deep.equal(['LOGIN']);
    const kept = await asTenant(spec, (c) => c.query('SELECT name FROM notes'));
    expect(kept.rows).to.deep.equal([{ name: 'Kept' }]);
  });

  it('Delete: ends the sessions, drops the schema with its tables and the role; a second run does nothing', async () => {
    const spec = platform.spec(platform.tenantName('gone'));
    await platform.provisioner.provision(spec);
    const open = new pg.Client({ connectionString: spec.databaseUrl });
    await open.connect();
    open.on('error', () => undefined);
    await open.query('BEGIN');
    await open.query('LOCK TABLE bases IN ACCESS SHARE MODE');

    const outcome = await platform.provisioner.deprovision(spec.schema, 'Delete');
    expect(outcome).to.deep.equal({
      policy: 'Delete',
      sessionsEnded: 1,
      schemaDropped: true,
      roleDropped: true,
      loginDisabled: true,
    });
    await open.end().catch(() => undefined);
    const left = await platform.admin(async (c) => ({
      role: (await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [spec.schema])).rowCount,
      schema: (await c.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [spec.schema])).rowCount,
    }));
    expect(left).to.deep.equal({ role: 0, schema: 0 });
    expect(await platform.provisioner.deprovision(spec.schema, 'Delete')).to.deep.equal({
      policy: 'Delete',
      sessionsEnded: 0,
      schemaDropped: false,
      roleDropped: false,
      loginDisabled: false,
    });
    // The other tenants are untouched.
    expect((await catalogState(platform, a.schema)).role[0]).to.include({ rolcanlogin: true });
  });
});
