import { expect } from 'chai';
import { hostname } from 'node:os';
import {
  ConfigError,
  EXIT_CONFIG,
  loadOperatorConfig,
  loadOperatorConfigOrExit,
  operatorEnv,
} from '../../../operator/src/config.js';

const REQUIRED = {
  PLATFORM_DATABASE_URL: 'postgres://operator:pw-secret@db.platform.svc:5433/livetables?sslmode=require',
  DATAPLANE_IMAGE: 'ghcr.io/example/live-tables-dataplane:1.2.3',
};

function configError(env: Record<string, string>): ConfigError {
  try {
    loadOperatorConfig(env);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadOperatorConfig accepted ${JSON.stringify(env)}`);
}

describe('operator configuration', () => {
  it('has the documented defaults', () => {
    const config = loadOperatorConfig(REQUIRED);
    expect(config).to.deep.equal({
      platformDatabaseUrl: REQUIRED.PLATFORM_DATABASE_URL,
      tenantDatabase: { host: 'db.platform.svc', port: 5433 },
      redisUrl: undefined,
      dataplane: { image: REQUIRED.DATAPLANE_IMAGE, resources: {} },
      watchNamespace: undefined,
      pod: { namespace: 'default', name: hostname() },
      ingressNamespace: 'ingress-nginx',
      egress: { database: { cidr: '0.0.0.0/0', port: 5433 }, redis: undefined },
      metricsPort: 8081,
      resyncSeconds: 600,
      leaseDurationSeconds: 15,
      connectionRecheckSeconds: 300,
      connections: { allow: [], deny: [] },
      logLevel: 'info',
    });
  });

  it('reads every variable of the README table', () => {
    const config = loadOperatorConfig({
      ...REQUIRED,
      TENANT_DATABASE_HOST: 'pgbouncer.platform.svc:6432',
      REDIS_URL: 'redis://:secret@redis.platform.svc:6380/0',
      DATAPLANE_RESOURCES: '{"requests":{"cpu":"100m","memory":"256Mi"},"limits":{"memory":"512Mi"}}',
      WATCH_NAMESPACE: 'tenants',
      POD_NAMESPACE: 'live-tables',
      POD_NAME: 'operator-0',
      INGRESS_NAMESPACE: 'traefik',
      EGRESS_DATABASE_CIDR: '10.1.0.0/16',
      EGRESS_REDIS_CIDR: '10.2.0.7',
      METRICS_PORT: '9090',
      RESYNC_SECONDS: '60',
      LEASE_DURATION_SECONDS: '30',
      CONNECTION_RECHECK_SECONDS: '120',
      CONNECTION_ALLOW: '127.0.0.0/8, db.example.com,*.internal.example',
      CONNECTION_DENY: '10.0.0.0/8',
      LOG_LEVEL: 'debug',
    });
    expect(config).to.deep.equal({
      platformDatabaseUrl: REQUIRED.PLATFORM_DATABASE_URL,
      tenantDatabase: { host: 'pgbouncer.platform.svc', port: 6432 },
      redisUrl: 'redis://:secret@redis.platform.svc:6380/0',
      dataplane: {
        image: REQUIRED.DATAPLANE_IMAGE,
        resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } },
      },
      watchNamespace: 'tenants',
      pod: { namespace: 'live-tables', name: 'operator-0' },
      ingressNamespace: 'traefik',
      egress: {
        database: { cidr: '10.1.0.0/16', port: 6432 },
        redis: { cidr: '10.2.0.7/32', port: 6380 },
      },
      metricsPort: 9090,
      resyncSeconds: 60,
      leaseDurationSeconds: 30,
      connectionRecheckSeconds: 120,
      connections: { allow: ['127.0.0.0/8', 'db.example.com', '*.internal.example'], deny: ['10.0.0.0/8'] },
      logLevel: 'debug',
    });
  });

  it('defaults the ports of URLs that name none (5432, 6379) and takes an IPv6 tenant host', () => {
    const config = loadOperatorConfig({
      PLATFORM_DATABASE_URL: 'postgresql://operator@db/live',
      DATAPLANE_IMAGE: 'dataplane',
      REDIS_URL: 'redis://redis',
      TENANT_DATABASE_HOST: '[fd00::5]',
    });
    expect(config.tenantDatabase).to.deep.equal({ host: '[fd00::5]', port: 5432 });
    expect(config.egress.redis).to.deep.equal({ cidr: '0.0.0.0/0', port: 6379 });
  });

  it('names every variable of the README table in its own table', () => {
    expect(Object.keys(operatorEnv)).to.include.members([
      'PLATFORM_DATABASE_URL',
      'TENANT_DATABASE_HOST',
      'REDIS_URL',
      'DATAPLANE_IMAGE',
      'DATAPLANE_RESOURCES',
      'WATCH_NAMESPACE',
      'POD_NAMESPACE',
      'POD_NAME',
      'INGRESS_NAMESPACE',
      'EGRESS_DATABASE_CIDR',
      'EGRESS_REDIS_CIDR',
      'METRICS_PORT',
      'RESYNC_SECONDS',
      'LEASE_DURATION_SECONDS',
      'CONNECTION_RECHECK_SECONDS',
      'LOG_LEVEL',
    ]);
  });

  describe('refuses bad values, naming the variable', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ DATAPLANE_IMAGE: 'x' }, /^PLATFORM_DATABASE_URL is required/],
      [{ PLATFORM_DATABASE_URL: REQUIRED.PLATFORM_DATABASE_URL }, /^DATAPLANE_IMAGE is required/],
      [
        { ...REQUIRED, PLATFORM_DATABASE_URL: 'mysql://root:hunter2@db/x' },
        /^PLATFORM_DATABASE_URL=\(value hidden\) is invalid/,
      ],
      [{ ...REQUIRED, DATAPLANE_IMAGE: 'two words' }, /^DATAPLANE_IMAGE="two words" is invalid/],
      [{ ...REQUIRED, METRICS_PORT: '80.5' }, /^METRICS_PORT="80.5" is invalid/],
      [{ ...REQUIRED, METRICS_PORT: '1e3' }, /^METRICS_PORT="1e3" is invalid/],
      [{ ...REQUIRED, RESYNC_SECONDS: '0' }, /^RESYNC_SECONDS="0" is invalid.*minimum 1/],
      [{ ...REQUIRED, LOG_LEVEL: 'loud' }, /^LOG_LEVEL="loud" is invalid.*one of fatal, error/],
      [{ ...REQUIRED, DATAPLANE_RESOURCES: '{cpu: 1}' }, /^DATAPLANE_RESOURCES=.* is not valid JSON/],
      [
        { ...REQUIRED, DATAPLANE_RESOURCES: '{"requests":{"gpu":"1"}}' },
        /^DATAPLANE_RESOURCES=.* is invalid/,
      ],
      [
        { ...REQUIRED, DATAPLANE_RESOURCES: '{"limits":{"memory":"lots"}}' },
        /^DATAPLANE_RESOURCES=.* is invalid/,
      ],
      [{ ...REQUIRED, WATCH_NAMESPACE: 'Not_A_Label' }, /^WATCH_NAMESPACE="Not_A_Label" is invalid/],
      [
        { ...REQUIRED, EGRESS_DATABASE_CIDR: '10.0.0.0/33' },
        /^EGRESS_DATABASE_CIDR="10.0.0.0\/33" is invalid/,
      ],
      [{ ...REQUIRED, TENANT_DATABASE_HOST: 'db:99999' }, /^TENANT_DATABASE_HOST: port "99999"/],
      [{ ...REQUIRED, TENANT_DATABASE_HOST: 'user@db' }, /^TENANT_DATABASE_HOST="user@db" is invalid/],
      [{ ...REQUIRED, REDIS_URL: 'http://redis' }, /^REDIS_URL=\(value hidden\) is invalid/],
      [{ ...REQUIRED, CONNECTION_ALLOW: '127.0.0.0/8,not a host' }, /^CONNECTION_ALLOW: "not a host"/],
      [{ ...REQUIRED, CONNECTION_DENY: 'db.example.com' }, /^CONNECTION_DENY: "db.example.com"/],
    ];
    for (const [env, message] of cases) {
      const changed = Object.entries(env).filter(([k, v]) => REQUIRED[k as keyof typeof REQUIRED] !== v);
      const title = changed.length
        ? changed.map(([k, v]) => `${k}=${v}`).join(' ')
        : 'a required variable unset';
      it(title, () => {
        expect(configError(env).message).to.match(message);
      });
    }

    it('never repeats a secret value', () => {
      const error = configError({ ...REQUIRED, PLATFORM_DATABASE_URL: 'mysql://root:hunter2@db/x' });
      expect(error.message).to.not.include('hunter2');
    });
  });

  it('exits 78 (EX_CONFIG) with the variable named when the configuration is bad', () => {
    const written: string[] = [];
    const exits: number[] = [];
    const exit = (code: number): never => {
      exits.push(code);
      throw new Error('exited');
    };
    expect(() => loadOperatorConfigOrExit({ DATAPLANE_IMAGE: 'x' }, exit, (t) => written.push(t))).to.throw(
      'exited',
    );
    expect(exits).to.deep.equal([EXIT_CONFIG]);
    expect(EXIT_CONFIG).to.equal(78);
    expect(written.join('')).to.match(/configuration error: PLATFORM_DATABASE_URL is required/);
    expect(loadOperatorConfigOrExit(REQUIRED, exit).dataplane.image).to.equal(REQUIRED.DATAPLANE_IMAGE);
  });
});
