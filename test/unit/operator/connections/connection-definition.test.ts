import { expect } from 'chai';
import {
  connectionDefinition,
  ConnectionSecretError,
} from '../../../../operator/src/connections/connection-definition.js';
import { connectionOptions } from '../../../../operator/src/connections/connection-settings.js';
import { resolveConnectionSpec } from '../../../../operator/src/resources/connection.schema.js';
import { connection } from '../resources/fixtures.js';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

function secretError(run: () => unknown): ConnectionSecretError {
  try {
    run();
  } catch (error) {
    expect(error).to.be.instanceOf(ConnectionSecretError);
    return error as ConnectionSecretError;
  }
  throw new Error('accepted');
}

describe('operator connections: the definition from a Connection and its Secret', () => {
  it('reads username and password keys, and defaults the port per type', () => {
    const spec = resolveConnectionSpec(connection().spec);
    expect(
      connectionDefinition(spec, 'shop-db', { username: b64('shop'), password: b64('pä ss') }),
    ).to.deep.equal({
      type: 'mysql',
      host: 'mariadb.tenants.svc',
      port: 3306,
      database: 'shop',
      username: 'shop',
      password: 'pä ss',
      readOnly: true,
      tls: undefined,
      pool: { max: 5, idleTimeoutSeconds: 60 },
    });
  });

  it('reads keys the Connection names, and leaves a missing username or password out', () => {
    const spec = resolveConnectionSpec(
      connection({
        type: 'postgres',
        credentialsSecretRef: { name: 's', usernameKey: 'user', passwordKey: 'pw' },
      }).spec,
    );
    const definition = connectionDefinition(spec, 's', { user: b64('reader') });
    expect(definition).to.include({ port: 5432, username: 'reader', password: undefined });
  });

  it('takes host, port, database and credentials from a URI, the spec’s fields first', () => {
    const uri = b64('postgresql://app:s%40cret@db.example.com:6543/sales');
    const fromUri = resolveConnectionSpec(
      connection({
        type: 'postgres',
        host: undefined,
        database: undefined,
        credentialsSecretRef: { name: 's', uriKey: 'url' },
      }).spec,
    );
    expect(connectionDefinition(fromUri, 's', { url: uri })).to.include({
      host: 'db.example.com',
      port: 6543,
      database: 'sales',
      username: 'app',
      password: 's@cret',
    });
    const overridden = resolveConnectionSpec(
      connection({
        type: 'postgres',
        host: 'replica.example.com',
        port: 5432,
        credentialsSecretRef: { name: 's', uriKey: 'url' },
      }).spec,
    );
    expect(connectionDefinition(overridden, 's', { url: uri })).to.include({
      host: 'replica.example.com',
      port: 5432,
      database: 'shop',
    });
  });

  it('names a missing key (SecretKeyMissing)', () => {
    const spec = resolveConnectionSpec(
      connection({ credentialsSecretRef: { name: 's', uriKey: 'url' } }).spec,
    );
    const error = secretError(() => connectionDefinition(spec, 'shop-db', {}));
    expect(error.reason).to.equal('SecretKeyMissing');
    expect(error.message).to.equal('Secret shop-db has no key "url"');
  });

  it('refuses a URI the dataplane would refuse (InvalidUri), without repeating it', () => {
    const spec = resolveConnectionSpec(
      connection({ credentialsSecretRef: { name: 's', uriKey: 'url' } }).spec,
    );
    for (const uri of [
      'mysql://u:hunter2@db/x?localInfile=true',
      'mysql://u:hunter2@/x',
      'not a uri hunter2',
    ]) {
      const error = secretError(() => connectionDefinition(spec, 's', { url: b64(uri) }));
      expect(error.reason, uri).to.equal('InvalidUri');
      expect(error.message, uri).to.not.include('hunter2');
    }
  });

  it('needs a database from the spec or the URI', () => {
    const spec = resolveConnectionSpec(connection({ database: undefined }).spec);
    expect(secretError(() => connectionDefinition(spec, 's', {})).reason).to.equal('DatabaseMissing');
  });

  it('stores the options as the dataplane reads them (pool in ms, TLS that may skip verification)', () => {
    const base = connectionDefinition(resolveConnectionSpec(connection().spec), 's', {});
    expect(connectionOptions(base)).to.deep.equal({ pool: { max: 5, idleMs: 60_000 } });
    expect(connectionOptions({ ...base, tls: { rejectUnauthorized: true } }).tls).to.equal(true);
    expect(connectionOptions({ ...base, tls: { rejectUnauthorized: false } }).tls).to.deep.equal({
      rejectUnauthorized: false,
    });
  });
});
