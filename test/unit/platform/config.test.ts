import path from 'node:path';
import { expect } from 'chai';
import { ConfigError, loadConfig, type Config } from '../../../dataplane/src/platform/config.js';

const SECRET = 'a-secret-that-is-long-enough-0123456789';

/** Runs loadConfig and returns the ConfigError it must throw. */
function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  describe('defaults', () => {
    let config: Config;
    before(() => {
      config = loadConfig({});
    });

    it('serves standalone on 0.0.0.0:8080 with the embedded database and in-process Redis stand-ins', () => {
      expect(config).to.include({ port: 8080, host: '0.0.0.0', embeddedPgPort: 54329 });
      expect(config.databaseUrl).to.equal(undefined);
      expect(config.redisUrl).to.equal(undefined);
      expect(config.tenant).to.equal(undefined);
      expect(config.jwtSecret).to.equal(undefined);
      expect(config.masterKey).to.equal(undefined);
    });

    it('keeps data under ./.data, resolved to an absolute path', () => {
      expect(config.dataDir).to.equal(path.resolve('.data'));
    });

    it('has the documented numbers and switches', () => {
      expect(config).to.include({
        logLevel: 'info',
        production: false,
        bodyLimitBytes: 1048576,
        shutdownTimeoutMs: 10000,
        trustProxy: false,
      });
      expect(config.db).to.deep.equal({ poolMax: 10, statementTimeoutMs: 30000 });
      expect(config.auth).to.deep.equal({
        bcryptCost: 12,
        accessTokenTtlSeconds: 900,
        refreshTokenTtlDays: 30,
        loginAttemptsPerIpPerMinute: 30,
        loginFreeFailures: 5,
      });
    });

    it('treats an empty value as unset', () => {
      const c = loadConfig({ PORT: '', DATABASE_URL: '', LOG_LEVEL: '', TRUST_PROXY: '' });
      expect(c).to.include({ port: 8080, logLevel: 'info', trustProxy: false, databaseUrl: undefined });
    });
  });

  describe('conversions', () => {
    it('turns numeric strings into numbers', () => {
      const c = loadConfig({
        PORT: '0',
        EMBEDDED_PG_PORT: '6543',
        DB_POOL_MAX: '25',
        DB_STATEMENT_TIMEOUT_MS: '0',
        BCRYPT_COST: '4',
        ACCESS_TOKEN_TTL_SECONDS: '60',
        REFRESH_TOKEN_TTL_DAYS: '7',
        LOGIN_ATTEMPTS_PER_IP_PER_MINUTE: '100',
        LOGIN_FREE_FAILURES: '3',
        BODY_LIMIT_BYTES: '2048',
        SHUTDOWN_TIMEOUT_MS: '500',
      });
      expect(c).to.include({ port: 0, embeddedPgPort: 6543, bodyLimitBytes: 2048, shutdownTimeoutMs: 500 });
      expect(c.db).to.deep.equal({ poolMax: 25, statementTimeoutMs: 0 });
      expect(c.auth).to.deep.equal({
        bcryptCost: 4,
        accessTokenTtlSeconds: 60,
        refreshTokenTtlDays: 7,
        loginAttemptsPerIpPerMinute: 100,
        loginFreeFailures: 3,
      });
    });

    for (const [text, value] of [
      ['true', true],
      ['false', false],
    ] as const) {
      it(`reads TRUST_PROXY=${text} as ${value}`, () => {
        expect(loadConfig({ TRUST_PROXY: text }).trustProxy).to.equal(value);
      });
    }

    it('passes strings through and resolves LT_DATA_DIR', () => {
      const c = loadConfig({
        HOST: '127.0.0.1',
        DATABASE_URL: 'postgresql://u:p@db:5432/lt',
        REDIS_URL: 'rediss://cache:6380',
        JWT_SECRET: SECRET,
        LT_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
        LOG_LEVEL: 'debug',
        LT_DATA_DIR: 'some/dir',
      });
      expect(c).to.include({
        host: '127.0.0.1',
        databaseUrl: 'postgresql://u:p@db:5432/lt',
        redisUrl: 'rediss://cache:6380',
        jwtSecret: SECRET,
        masterKey: Buffer.alloc(32, 7).toString('base64'),
        logLevel: 'debug',
        dataDir: path.resolve('some/dir'),
      });
    });
  });

  describe('bad values throw a ConfigError naming the variable', () => {
    const cases: [string, string, string][] = [
      ['not a number', 'PORT', 'abc'],
      ['a fraction where an integer is expected', 'PORT', '80.5'],
      ['exponent notation', 'BODY_LIMIT_BYTES', '1e6'],
      ['hexadecimal', 'EMBEDDED_PG_PORT', '0x10'],
      ['above the maximum', 'PORT', '70000'],
      ['below the minimum', 'BCRYPT_COST', '3'],
      ['negative', 'SHUTDOWN_TIMEOUT_MS', '-1'],
      ['zero where at least one is needed', 'DB_POOL_MAX', '0'],
      ['not in the list of levels', 'LOG_LEVEL', 'loud'],
      ['not a boolean', 'TRUST_PROXY', 'maybe'],
      ['a URL of the wrong scheme', 'DATABASE_URL', 'mysql://u:p@db/lt'],
      ['a Redis URL of the wrong scheme', 'REDIS_URL', 'http://cache:6379'],
      ['a slug with capitals', 'LT_WORKSPACE', 'Acme'],
      ['a slug too short', 'LT_WORKSPACE', 'a'],
      ['a schema name with a quote', 'LT_SCHEMA', 'lt"x'],
      ['a malformed email', 'LT_OWNER_EMAIL', 'not-an-email'],
      ['a display name too long', 'LT_DISPLAY_NAME', 'x'.repeat(201)],
      ['a JWT secret too short', 'JWT_SECRET', 'short'],
      ['a master key that is not 32 bytes of base64', 'LT_MASTER_KEY', 'c2hvcnQ='],
    ];
    for (const [what, name, value] of cases) {
      it(`${name}: ${what}`, () => {
        const error = configError({ [name]: value });
        expect(error.message.startsWith(`${name}=`), error.message).to.equal(true);
        expect(error.message).to.include('expected');
      });
    }

    it('refuses an away time that is not after the idle time', () => {
      expect(
        configError({ LT_PRESENCE_IDLE_SECONDS: '60', LT_PRESENCE_AWAY_SECONDS: '60' }).message,
      ).to.include('LT_PRESENCE_AWAY_SECONDS must be more than LT_PRESENCE_IDLE_SECONDS');
    });

    it('says what LOG_LEVEL accepts', () => {
      expect(configError({ LOG_LEVEL: 'loud' }).message).to.include('one of fatal, error, warn, info');
    });

    it('says the range of a number', () => {
      expect(configError({ PORT: '70000' }).message).to.include('maximum 65535');
    });

    it('never repeats the value of a secret', () => {
      for (const [name, value] of [
        ['JWT_SECRET', 'hunter2-hunter2'],
        ['DATABASE_URL', 'mysql://admin:hunter2@db/lt'],
        ['REDIS_URL', 'http://:hunter2@cache'],
        ['LT_MASTER_KEY', 'hunter2'],
      ] as const) {
        const error = configError({ [name]: value });
        expect(error.message).to.include(name);
        expect(error.message).to.not.include('hunter2');
      }
    });

    it('reports a bad value even when the rest of the environment is fine', () => {
      const error = configError({ DATABASE_URL: 'postgres://db/lt', JWT_SECRET: SECRET, DB_POOL_MAX: 'ten' });
      expect(error.message).to.match(/^DB_POOL_MAX=/);
    });
  });

  describe('tenant mode (LT_WORKSPACE)', () => {
    const tenantEnv = {
      LT_WORKSPACE: 'acme-corp',
      DATABASE_URL: 'postgres://tenant@db/lt',
      JWT_SECRET: SECRET,
    };

    it('serves the one workspace in schema lt_ws_<slug> by default', () => {
      const c = loadConfig(tenantEnv);
      expect(c.tenant).to.deep.equal({
        slug: 'acme-corp',
        schema: 'lt_ws_acme_corp',
        ownerEmail: undefined,
        displayName: 'acme-corp',
      });
    });

    it('takes LT_SCHEMA, LT_OWNER_EMAIL (lower-cased) and LT_DISPLAY_NAME', () => {
      const c = loadConfig({
        ...tenantEnv,
        LT_SCHEMA: 'tenant_42',
        LT_OWNER_EMAIL: 'Owner@Acme.Example',
        LT_DISPLAY_NAME: 'Acme Corp',
      });
      expect(c.tenant).to.deep.equal({
        slug: 'acme-corp',
        schema: 'tenant_42',
        ownerEmail: 'owner@acme.example',
        displayName: 'Acme Corp',
      });
    });

    it('requires JWT_SECRET', () => {
      const { JWT_SECRET: _omitted, ...env } = tenantEnv;
      expect(configError(env).message).to.match(/^JWT_SECRET is required in tenant mode/);
    });

    it('requires DATABASE_URL (no embedded database for a tenant)', () => {
      const { DATABASE_URL: _omitted, ...env } = tenantEnv;
      expect(configError(env).message).to.match(/^DATABASE_URL is required in tenant mode/);
    });

    it('rejects LT_SCHEMA without LT_WORKSPACE', () => {
      expect(configError({ LT_SCHEMA: 'tenant_42' }).message).to.match(/^LT_SCHEMA .*LT_WORKSPACE/);
    });
  });

  describe('NODE_ENV=production', () => {
    it('requires JWT_SECRET', () => {
      expect(configError({ NODE_ENV: 'production' }).message).to.match(/^JWT_SECRET is required/);
    });

    it('starts with one and reports production', () => {
      const c = loadConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET });
      expect(c.production).to.equal(true);
      expect(c.jwtSecret).to.equal(SECRET);
    });

    it('any other NODE_ENV is not production', () => {
      expect(loadConfig({ NODE_ENV: 'test' }).production).to.equal(false);
    });
  });
});
