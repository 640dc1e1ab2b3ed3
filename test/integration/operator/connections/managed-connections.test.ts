import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import mysql from 'mysql2/promise';
import { createDatabase, type Database } from '../../../../dataplane/src/platform/database.js';
import type { OperatorConfig } from '../../../../operator/src/config.js';
import type { ConnectionDefinition } from '../../../../operator/src/connections/connection-definition.js';
import { connectionHostGuard } from '../../../../operator/src/connections/connection-host-guard.js';
import {
  ConnectionNameTakenError,
  ConnectionRegistrar,
  type ManagedConnection,
} from '../../../../operator/src/connections/connection-registrar.js';
import { checkReachability } from '../../../../operator/src/connections/reachability.js';
import type { TenantDatabaseSpec } from '../../../../operator/src/provision/tenant-provisioner.js';
import { caught } from '../../../support/caught.js';
import { startTestApp, type TestApp } from '../../../support/test-app.js';
import { createPlatformDatabase, type PlatformDatabase } from '../support/platform-database.js';

const MARIA = { host: '127.0.0.1', port: 3306, user: 'root', password: '' };
const PASSWORD = `Pw-${randomBytes(6).toString('hex')}-ä`;

/** Connections of a tenant as the operator registers them, read back by the tenant's own dataplane. */
describe('operator: managed connections in a tenant’s data', function () {
  this.timeout(60_000);
  let platform: PlatformDatabase;
  let tenant: TenantDatabaseSpec;
  let tenantDb: Database;
  let registrar: ConnectionRegistrar;
  let app: TestApp;
  let token: string;
  let workspaceId: string;
  const masterKey = randomBytes(32).toString('base64');
  const mariaDb = `lt_test_opconn_${process.pid}_${randomBytes(3).toString('hex')}`;
  const mariaUser = `lt_op_${randomBytes(4).toString('hex')}`;
  const connection = (definition: Partial<ConnectionDefinition> = {}, name = 'shop'): ManagedConnection => ({
    id: '5d0ac0a2-7b6e-4c4f-9a51-3f2c1a9e0b11',
    name,
    definition: {
      type: 'mysql',
      host: '127.0.0.1',
      port: 3306,
      database: mariaDb,
      username: mariaUser,
      password: PASSWORD,
      readOnly: true,
      tls: undefined,
      pool: { max: 5, idleTimeoutSeconds: 60 },
      ...definition,
    },
  });
  const api = (method: string, path: string, body?: unknown) =>
    app.request(method, path, {
      token,
      headers: { 'x-workspace-id': workspaceId },
      ...(body === undefined ? {} : { body }),
    });
  const row = (id: string) =>
    tenantDb.knex.withSchema(tenant.schema).table('connections').where({ id }).first();

  before(async () => {
    const maria = await mysql.createConnection(MARIA);
    await maria.query(`CREATE DATABASE ${mariaDb}`);
    await maria.query(`CREATE TABLE ${mariaDb}.customers (id int PRIMARY KEY, name varchar(100))`);
    await maria.query(
      `CREATE TABLE ${mariaDb}.orders (id int PRIMARY KEY, customer_id int, total decimal(10,2))`,
    );
    await maria.query(
      `CREATE VIEW ${mariaDb}.big_orders AS SELECT * FROM ${mariaDb}.orders WHERE total > 50`,
    );
    await maria.query(`INSERT INTO ${mariaDb}.customers VALUES (1, 'Ada'), (2, 'Grace')`);
    for (const host of ['%', 'localhost', '127.0.0.1']) {
      await maria.query(`CREATE USER '${mariaUser}'@'${host}' IDENTIFIED BY ?`, [PASSWORD]);
      await maria.query(`GRANT SELECT ON ${mariaDb}.* TO '${mariaUser}'@'${host}'`);
    }
    await maria.end();

    platform = await createPlatformDatabase();
    tenant = platform.spec(platform.tenantName('shop'));
    await platform.provisioner.provision(tenant);
    tenantDb = createDatabase({
      connectionString: tenant.databaseUrl,
      searchPath: tenant.schema,
      poolMax: 2,
      statementTimeoutMs: 0,
    });
    registrar = new ConnectionRegistrar({ knex: tenantDb.knex, schema: tenant.schema, masterKey });
    // The tenant's dataplane as its Deployment runs it: tenant mode, its role, its Secret's keys.
    app = await startTestApp({
      DATABASE_URL: tenant.databaseUrl,
      LT_WORKSPACE: tenant.slug,
      LT_SCHEMA: tenant.schema,
      LT_OWNER_EMAIL: tenant.ownerEmail,
      LT_DISPLAY_NAME: tenant.displayName,
      LT_MASTER_KEY: masterKey,
      LT_CONNECTION_ALLOW: '127.0.0.1',
    });
    const owner = await app.request('POST', '/api/v1/auth/register', {
      body: { email: tenant.ownerEmail, password: 'correct horse battery staple', name: 'Owner' },
    });
    token = owner.body.accessToken;
    const me = await app.request('GET', '/api/v1/auth/me', { token });
    workspaceId = me.body.workspaces[0].id;
  });

  after(async () => {
    await app?.stop();
    await tenantDb?.close();
    await platform?.drop();
    const maria = await mysql.createConnection(MARIA);
    await maria.query(`DROP DATABASE IF EXISTS ${mariaDb}`);
    for (const host of ['%', 'localhost', '127.0.0.1'])
      await maria.query(`DROP USER IF EXISTS '${mariaUser}'@'${host}'`);
    await maria.end();
  });

  it('registers the connection with sealed credentials that the tenant’s dataplane opens to query MariaDB', async () => {
    const outcome = await registrar.register(connection());
    expect(outcome).to.deep.equal({ connectionId: connection().id, action: 'created', changed: [] });
    const stored = await row(connection().id);
    expect(stored).to.include({
      managed_by: 'operator',
      name: 'shop',
      type: 'mysql',
      username: mariaUser,
      read_only: true,
    });
    expect(stored.allow_raw_queries).to.equal(false);
    expect(stored.options).to.deep.equal({ pool: { max: 5, idleMs: 60_000 } });
    expect(stored.secret)
      .to.match(/^v1\.1\./)
      .and.not.include(PASSWORD);
    const directory = await tenantDb.knex
      .withSchema(tenant.schema)
      .table('resource_directory')
      .where({ id: connection().id });
    expect(directory).to.deep.equal([
      { id: connection().id, workspace_id: workspaceId, kind: 'connection', base_id: null },
    ]);
    const audit = await tenantDb.knex
      .withSchema(tenant.schema)
      .table('audit_logs')
      .where({ resource_id: connection().id });
    expect(audit.map((a) => [a.action, a.actor_id])).to.deep.equal([['connection.create', null]]);
    expect(JSON.stringify(audit)).to.not.include(PASSWORD);

    const query = await api('POST', `/api/v1/connections/${connection().id}/query`, {
      table: 'customers',
      limit: 10,
    });
    expect(query.status, JSON.stringify(query.body)).to.equal(200);
    expect(query.body.data).to.deep.equal([
      { id: 1, name: 'Ada' },
      { id: 2, name: 'Grace' },
    ]);
  });

  it('shows it in the tenant API with managedBy operator, never a credential, and refuses changes with 409', async () => {
    const list = await api('GET', '/api/v1/connections');
    expect(list.status).to.equal(200);
    expect(
      list.body.data.map((c: { name: string; managedBy: string | null }) => [c.name, c.managedBy]),
    ).to.deep.equal([['shop', 'operator']]);
    const one = await api('GET', `/api/v1/connections/${connection().id}`);
    expect(one.body).to.include({
      managedBy: 'operator',
      readOnly: true,
      host: '127.0.0.1',
      port: 3306,
      allowRawQueries: false,
    });
    expect(JSON.stringify(one.body)).to.not.include(PASSWORD);

    for (const [method, body] of [
      ['PUT', { name: 'renamed' }],
      ['PUT', { allowRawQueries: true }],
      ['PUT', { password: 'stolen' }],
      ['DELETE', undefined],
    ] as const) {
      const res = await api(method, `/api/v1/connections/${connection().id}`, body);
      expect(res.status, `${method} ${JSON.stringify(body)}`).to.equal(409);
      expect(res.headers.get('content-type')).to.include('application/problem+json');
      expect(res.body).to.include({ code: 'managed_by_operator', status: 409 });
    }
    expect(await row(connection().id)).to.include({ name: 'shop', allow_raw_queries: false });
    const tested = await api('POST', `/api/v1/connections/${connection().id}/test`);
    expect(tested.status).to.equal(200);
    expect(tested.body.ok).to.equal(true);
  });

  it('leaves the tenant’s own connections editable (managedBy null), and refuses a name one of them has', async () => {
    const own = await api('POST', '/api/v1/connections', {
      name: 'taken',
      type: 'mysql',
      host: '127.0.0.1',
      database: mariaDb,
      username: 'root',
    });
    expect(own.status, JSON.stringify(own.body)).to.equal(201);
    expect(own.body.managedBy).to.equal(null);
    const clash = { ...connection({}, 'taken'), id: '0e8d6f1c-2b3a-4c5d-8e9f-0a1b2c3d4e5f' };
    expect(await caught(registrar.register(clash))).to.be.instanceOf(ConnectionNameTakenError);
    expect(await row(clash.id)).to.equal(undefined);
    expect((await api('PUT', `/api/v1/connections/${own.body.id}`, { name: 'mine' })).status).to.equal(200);
    expect((await api('DELETE', `/api/v1/connections/${own.body.id}`)).status).to.equal(204);
  });

  it('changes nothing when registered again as it is', async () => {
    const before = await row(connection().id);
    expect(await registrar.register(connection())).to.deep.equal({
      connectionId: connection().id,
      action: 'unchanged',
      changed: [],
    });
    expect(await row(connection().id)).to.deep.equal(before);
  });

  it('follows the Connection: a new password, readOnly and pool', async () => {
    const next = `${PASSWORD}-2`;
    const maria = await mysql.createConnection(MARIA);
    for (const host of ['%', 'localhost', '127.0.0.1'])
      await maria.query(`ALTER USER '${mariaUser}'@'${host}' IDENTIFIED BY ?`, [next]);
    await maria.end();
    const outcome = await registrar.register(
      connection({ password: next, readOnly: false, pool: { max: 9, idleTimeoutSeconds: 30 } }),
    );
    expect(outcome.action).to.equal('updated');
    expect(outcome.changed).to.have.members(['read_only', 'options', 'secret']);
    const one = await api('GET', `/api/v1/connections/${connection().id}`);
    expect(one.body).to.include({ readOnly: false, status: 'unknown' });
    expect(one.body.options).to.deep.equal({ pool: { max: 9, idleMs: 30_000 } });
    const query = await api('POST', `/api/v1/connections/${connection().id}/query`, {
      table: 'customers',
      limit: 1,
    });
    expect(query.status, JSON.stringify(query.body)).to.equal(200);
    const audit = await tenantDb.knex
      .withSchema(tenant.schema)
      .table('audit_logs')
      .where({ resource_id: connection().id, action: 'connection.update' });
    expect(audit).to.have.length(1);
    expect(audit[0].after.credentials).to.equal('changed');
    expect(JSON.stringify(audit)).to.not.include(next);
  });

  it('key rotation with re-encryption leaves its credentials to the operator, whose next registration re-seals them', async () => {
    const before = (await row(connection().id)).secret as string;
    const rotated = await app.request('POST', `/api/v1/workspaces/${workspaceId}/keys/rotate`, {
      token,
      body: { reencrypt: true },
    });
    expect(rotated.status, JSON.stringify(rotated.body)).to.equal(200);
    expect(rotated.body).to.include({ version: 2, reencrypted: 0 });
    expect((await row(connection().id)).secret).to.equal(before);

    const outcome = await registrar.register(
      connection({ password: `${PASSWORD}-2`, readOnly: false, pool: { max: 9, idleTimeoutSeconds: 30 } }),
    );
    expect(outcome).to.deep.include({ action: 'updated', changed: ['secret'] });
    expect((await row(connection().id)).secret).to.match(/^v1\.2\./);
    const query = await api('POST', `/api/v1/connections/${connection().id}/query`, {
      table: 'orders',
      limit: 1,
    });
    expect(query.status, JSON.stringify(query.body)).to.equal(200);
  });

  describe('reachability', () => {
    const allowLoopback: Pick<
      OperatorConfig,
      'connections' | 'platformDatabaseUrl' | 'tenantDatabase' | 'redisUrl'
    > = {
      connections: { allow: ['127.0.0.1'], deny: [] },
      platformDatabaseUrl: 'postgres://operator@pg.platform.svc/live',
      tenantDatabase: { host: 'pg.platform.svc', port: 5432 },
      redisUrl: undefined,
    };
    const guard = connectionHostGuard(allowLoopback);

    it('counts the tables of a reachable database (views are not tables)', async () => {
      const result = await checkReachability(
        'check-1',
        connection({ password: `${PASSWORD}-2` }).definition,
        guard,
      );
      expect(result).to.deep.include({ reachable: true, reason: 'Reachable', tables: 2 });
      expect(result.message).to.equal(`2 tables found on mysql at 127.0.0.1:3306/${mariaDb}`);
      expect(result.target).to.deep.equal({ address: '127.0.0.1', servername: '127.0.0.1' });
    });

    it('reports an unreachable server, a refused login and a refused host clearly', async () => {
      const closed = await checkReachability('check-2', connection({ port: 1 }).definition, guard);
      expect(closed).to.deep.include({ reachable: false, reason: 'Unreachable' });
      expect(closed.message).to.match(/ECONNREFUSED|refused|connect/i);

      const login = await checkReachability('check-3', connection({ password: 'wrong' }).definition, guard);
      expect(login).to.deep.include({ reachable: false, reason: 'Unreachable' });
      expect(login.message)
        .to.match(/denied|rejected/i)
        .and.not.include('wrong');

      const refused = await checkReachability(
        'check-4',
        connection().definition,
        connectionHostGuard({ ...allowLoopback, connections: { allow: [], deny: [] } }),
      );
      expect(refused).to.deep.include({ reachable: false, reason: 'HostNotAllowed', target: undefined });
      expect(refused.message).to.equal('Connections to host "127.0.0.1" are not allowed');
    });
  });

  it('unregisters it: the tenant API answers 404 and the directory forgets it', async () => {
    expect(await registrar.unregister(connection().id)).to.equal(true);
    expect(await row(connection().id)).to.equal(undefined);
    expect((await api('GET', `/api/v1/connections/${connection().id}`)).status).to.equal(404);
    const directory = await tenantDb.knex
      .withSchema(tenant.schema)
      .table('resource_directory')
      .where({ id: connection().id });
    expect(directory).to.deep.equal([]);
    const audit = await tenantDb.knex
      .withSchema(tenant.schema)
      .table('audit_logs')
      .where({ resource_id: connection().id, action: 'connection.delete' });
    expect(audit).to.have.length(1);
    expect(await registrar.unregister(connection().id)).to.equal(false);
  });
});
