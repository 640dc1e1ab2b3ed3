import { expect } from 'chai';
import { ConfigError, PRIVATE_RANGES, loadConfig } from '../../../../dataplane/src/platform/config.js';
import { resolveAndCheckHost } from '../../../../dataplane/src/platform/ssrf/resolve-and-check.js';
import {
  createSsrfPolicy,
  ssrfPolicyFromConfig,
} from '../../../../dataplane/src/platform/ssrf/ssrf-policy.js';

const TENANT = {
  LT_WORKSPACE: 'acme',
  DATABASE_URL: 'postgres://lt:pw@pg.platform.svc:5432/lt',
  REDIS_URL: 'redis://redis.platform.svc:6379',
  JWT_SECRET: 'a-secret-that-is-long-enough-0123456789',
};

describe('ssrf: configuration', () => {
  it('denies nothing extra in standalone and the private ranges in tenant mode', () => {
    expect(loadConfig({}).connections).to.deep.equal({ allow: [], deny: [] });
    expect(loadConfig(TENANT).connections).to.deep.equal({ allow: [], deny: PRIVATE_RANGES });
    expect(PRIVATE_RANGES).to.include.members(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7']);
  });

  it('reads comma-separated allow and deny lists', () => {
    const config = loadConfig({
      LT_CONNECTION_ALLOW: '10.1.0.0/16, db.internal ,*.partner.example,127.0.0.1,::1',
      LT_CONNECTION_DENY: '203.0.113.0/24,2001:db8::/32',
    });
    expect(config.connections).to.deep.equal({
      allow: ['10.1.0.0/16', 'db.internal', '*.partner.example', '127.0.0.1', '::1'],
      deny: ['203.0.113.0/24', '2001:db8::/32'],
    });
  });

  it('lets tenant mode turn the default deny list off with "none"', () => {
    expect(loadConfig({ ...TENANT, LT_CONNECTION_DENY: 'none' }).connections.deny).to.deep.equal([]);
  });

  it('refuses malformed entries, naming the variable', () => {
    for (const [name, value] of [
      ['LT_CONNECTION_ALLOW', '10.0.0.0/33'],
      ['LT_CONNECTION_ALLOW', 'http://x'],
      ['LT_CONNECTION_DENY', 'db.internal'],
      ['LT_CONNECTION_DENY', '10.0.0.0/8,banana'],
    ]) {
      expect(() => loadConfig({ [name as string]: value }), value)
        .to.throw(ConfigError)
        .with.property('message')
        .that.matches(new RegExp(`^${name}`));
    }
  });

  it('refuses malformed entries when a policy is built directly', () => {
    expect(() => createSsrfPolicy({ allow: ['not a host'] })).to.throw(/allow list entry/);
    expect(() => createSsrfPolicy({ deny: ['db.internal'] })).to.throw(/deny list entry/);
  });

  it('builds a policy that refuses the platform Postgres and Redis of DATABASE_URL and REDIS_URL', async () => {
    const resolve = async (host: string) =>
      host === 'pg.platform.svc'
        ? [{ address: '203.0.113.10', family: 4 }]
        : [{ address: '203.0.113.11', family: 4 }];
    const policy = ssrfPolicyFromConfig(loadConfig(TENANT), resolve);
    expect(policy.platformHosts).to.deep.equal(['pg.platform.svc', 'redis.platform.svc']);
    for (const host of ['pg.platform.svc', 'redis.platform.svc', '203.0.113.10', 'db-alias.example.com']) {
      const outcome = await resolveAndCheckHost(host, 5432, policy).catch((e: unknown) => e);
      expect(outcome, host).to.have.property('reason', 'platform');
    }
  });
});
