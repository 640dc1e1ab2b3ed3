import { expect } from 'chai';
import { HostNotAllowedError, ValidationError } from '../../../../dataplane/src/platform/errors.js';
import type { DriverType } from '../../../../dataplane/src/platform/ssrf/connection-uri.js';
import {
  assertSafeConnectionUri,
  assertSafeDriverOptions,
} from '../../../../dataplane/src/platform/ssrf/driver-options.js';

function refusedOption(type: DriverType, options: Record<string, unknown>): HostNotAllowedError {
  try {
    assertSafeDriverOptions(type, options);
  } catch (error) {
    expect(error).to.be.instanceOf(HostNotAllowedError);
    return error as HostNotAllowedError;
  }
  throw new Error(`accepted ${JSON.stringify(options)}`);
}

const REFUSED: [DriverType, Record<string, unknown>, string][] = [
  ['postgres', { options: '-c search_path=evil' }, 'options'],
  ['postgres', { host: '/var/run/postgresql' }, 'host'],
  ['postgres', { hostaddr: '127.0.0.1' }, 'hostaddr'],
  ['postgres', { sslrootcert: '/etc/ssl/private/ca.pem' }, 'sslrootcert'],
  ['postgres', { sslkey: 'key.pem' }, 'sslkey'],
  ['postgres', { passfile: '/root/.pgpass' }, 'passfile'],
  ['postgres', { service: 'prod' }, 'service'],
  ['postgres', { ssl: { ca: '/etc/passwd' } }, 'ssl.ca'],
  ['postgres', { ssl: { rejectUnauthorized: true, key: 'file:///etc/shadow' } }, 'ssl.key'],
  ['postgres', { replication: 'database' }, 'replication'],
  ['postgres', { socketPath: '/tmp' }, 'socketPath'],
  ['mysql', { localInfile: true }, 'localInfile'],
  ['mysql', { local_infile: 1 }, 'local_infile'],
  ['mysql', { LOCAL_INFILE: 'true' }, 'LOCAL_INFILE'],
  ['mysql', { permitLocalInfile: true }, 'permitLocalInfile'],
  ['mysql', { socketPath: '/var/run/mysqld/mysqld.sock' }, 'socketPath'],
  ['mysql', { flags: '+LOCAL_FILES' }, 'flags'],
  ['mysql', { flags: ['FOUND_ROWS', 'LOCAL_FILES'] }, 'flags'],
  ['mysql', { infileStreamFactory: 'x' }, 'infileStreamFactory'],
  ['mysql', { ssl: { ca: '../../ca.pem' } }, 'ssl.ca'],
  ['mongodb', { tlsCAFile: '/etc/ssl/ca.pem' }, 'tlsCAFile'],
  ['mongodb', { tlsCertificateKeyFile: 'client.pem' }, 'tlsCertificateKeyFile'],
  ['mongodb', { sslCA: '/ca.pem' }, 'sslCA'],
  ['mongodb', { proxyHost: '10.0.0.1' }, 'proxyHost'],
  ['mongodb', { authMechanism: 'MONGODB-AWS' }, 'authMechanism'],
  ['mongodb', { authMechanism: 'GSSAPI' }, 'authMechanism'],
  ['mongodb', { authMechanismProperties: { ENVIRONMENT: 'azure' } }, 'authMechanismProperties'],
  ['mongodb', { autoEncryption: { keyVaultNamespace: 'a.b' } }, 'autoEncryption'],
  ['mongodb', { extra: [{ tlsCRLFile: '/crl' }] }, 'extra[0].tlsCRLFile'],
];

const ACCEPTED: [DriverType, Record<string, unknown>][] = [
  ['postgres', { application_name: 'lt', statement_timeout: 5000, ssl: { rejectUnauthorized: true } }],
  ['postgres', { ssl: { ca: '-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----' } }],
  ['postgres', { sslmode: 'verify-full', connect_timeout: 10 }],
  ['mysql', { charset: 'utf8mb4', timezone: 'Z', flags: '-LOCAL_FILES', ssl: 'Amazon RDS' }],
  ['mysql', { localAddress: undefined, connectTimeout: 1000, password: '/starts/with/slash' }],
  ['mongodb', { authMechanism: 'SCRAM-SHA-256', tls: true, retryWrites: false, appName: 'lt' }],
  ['mongodb', { authSource: 'admin', readPreference: 'secondaryPreferred' }],
];

describe('ssrf: assertSafeDriverOptions', () => {
  for (const [type, options, path] of REFUSED) {
    it(`${type}: refuses ${JSON.stringify(options)}`, () => {
      const error = refusedOption(type, options);
      expect(error.code).to.equal('driver_option_not_allowed');
      expect(error.message).to.equal(`Driver option ${JSON.stringify(path)} is not allowed`);
    });
  }

  for (const [type, options] of ACCEPTED) {
    it(`${type}: accepts ${JSON.stringify(options).slice(0, 80)}`, () => {
      expect(() => assertSafeDriverOptions(type, options)).to.not.throw();
    });
  }

  it('never repeats the value of a refused option', () => {
    const error = refusedOption('postgres', { sslrootcert: '/secret/hunter2.pem' });
    expect(error.message).to.not.include('hunter2');
  });

  it('checks a uri member as a connection URI', () => {
    expect(
      refusedOption('mysql', { uri: 'mysql://u:p@db.example.com/app?localInfile=true' }).message,
    ).to.include('uri?localInfile');
    expect(() =>
      assertSafeDriverOptions('postgres', {
        connectionString: 'postgres://u:p@db.example.com/app?sslmode=require',
      }),
    ).to.not.throw();
  });
});

describe('ssrf: assertSafeConnectionUri', () => {
  it('returns the hosts, ports and options of a URI', () => {
    expect(
      assertSafeConnectionUri('postgres', 'postgresql://u:p%40ss@db.example.com:6432/app?sslmode=require'),
    ).to.deep.equal({
      scheme: 'postgresql',
      hosts: [{ host: 'db.example.com', port: 6432 }],
      params: [['sslmode', 'require']],
    });
  });

  it('lists every host of a MongoDB seed list', () => {
    const uri = assertSafeConnectionUri(
      'mongodb',
      'mongodb://u:p@a.example.com:27017,b.example.com,[2606:4700::1]:27018/db?replicaSet=rs0',
    );
    expect(uri.hosts).to.deep.equal([
      { host: 'a.example.com', port: 27017 },
      { host: 'b.example.com', port: undefined },
      { host: '[2606:4700::1]', port: 27018 },
    ]);
  });

  const refusedUris: [DriverType, string, string][] = [
    ['postgres', 'postgres://u:p@db.example.com/app?host=/var/run/postgresql', 'driver_option_not_allowed'],
    ['postgres', 'postgres://u:p@db.example.com/app?options=-c%20role%3Dadmin', 'driver_option_not_allowed'],
    ['postgres', 'postgres://u:p@db.example.com/app?sslrootcert=/etc/passwd', 'driver_option_not_allowed'],
    ['postgres', 'postgres://u:p@%2Fvar%2Frun%2Fpostgresql/app', 'host_not_allowed'],
    ['postgres', 'postgres:///app', 'host_not_allowed'],
    ['mysql', 'mysql://u:p@db.example.com/app?socketPath=%2Ftmp%2Fmysql.sock', 'driver_option_not_allowed'],
    ['mysql', 'mysql://u:p@db.example.com/app?flags=%2BLOCAL_FILES', 'driver_option_not_allowed'],
    [
      'mongodb',
      'mongodb://u:p@a.example.com/db?tlsCAFile=%2Fetc%2Fssl%2Fca.pem',
      'driver_option_not_allowed',
    ],
    ['mongodb', 'mongodb://u:p@a.example.com/db?authMechanism=MONGODB-AWS', 'driver_option_not_allowed'],
    ['mongodb', 'mongodb://u:p@a.example.com,%2Ftmp%2Fmongodb-27017.sock/db', 'host_not_allowed'],
    ['mongodb', 'mongodb+srv://u:p@cluster.example.com/db', 'validation_failed'],
    ['postgres', 'mysql://u:p@db.example.com/app', 'validation_failed'],
    ['postgres', 'postgres://u:p@db.example.com:99999/app', 'validation_failed'],
    ['postgres', 'not a uri', 'validation_failed'],
  ];
  for (const [type, uri, code] of refusedUris) {
    it(`${type}: refuses ${uri} (${code})`, () => {
      try {
        assertSafeConnectionUri(type, uri);
      } catch (error) {
        expect(error).to.be.instanceOf(code === 'validation_failed' ? ValidationError : HostNotAllowedError);
        expect((error as HostNotAllowedError).code).to.equal(code);
        return;
      }
      throw new Error('accepted');
    });
  }

  it('never repeats the URI, which holds the password', () => {
    for (const uri of [
      'mysql://root:hunter2@db.example.com/x?localInfile=1',
      'mongodb+srv://root:hunter2@c.example.com',
      'postgres://root:hunter2@/x',
    ]) {
      const type = uri.startsWith('mysql') ? 'mysql' : uri.startsWith('mongo') ? 'mongodb' : 'postgres';
      const error = (() => {
        try {
          assertSafeConnectionUri(type, uri);
        } catch (e) {
          return e as Error;
        }
        throw new Error('accepted');
      })();
      expect(error.message).to.not.include('hunter2');
      expect(JSON.stringify(error)).to.not.include('hunter2');
    }
  });
});
