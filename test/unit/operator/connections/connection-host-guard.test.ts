import { expect } from 'chai';
import { HostNotAllowedError } from '../../../../dataplane/src/platform/errors.js';
import type { Resolver } from '../../../../dataplane/src/platform/ssrf/ssrf-policy.js';
import { connectionHostGuard } from '../../../../operator/src/connections/connection-host-guard.js';
import { caught } from '../../../support/caught.js';

const DNS: Record<string, string[]> = {
  'pg.platform.svc': ['10.96.0.5'],
  'pgbouncer.platform.svc': ['10.96.0.6'],
  'redis.platform.svc': ['10.96.0.7'],
  'maria.shop.svc': ['10.0.3.4'],
  'sneaky.example.com': ['10.0.3.4', '127.0.0.1'],
};
const resolve: Resolver = async (host) => (DNS[host] ?? []).map((address) => ({ address, family: 4 }));

const guardWith = (allow: string[] = [], deny: string[] = []) =>
  connectionHostGuard(
    {
      connections: { allow, deny },
      platformDatabaseUrl: 'postgres://operator:x@pg.platform.svc:5432/live',
      tenantDatabase: { host: 'pgbouncer.platform.svc', port: 6432 },
      redisUrl: 'redis://redis.platform.svc:6379',
    },
    resolve,
  );

async function refusal(
  guard: ReturnType<typeof guardWith>,
  host: string,
  port = 5432,
): Promise<string | undefined> {
  const error = await caught(guard.check(host, port));
  if (error === undefined) return undefined;
  expect(error).to.be.instanceOf(HostNotAllowedError);
  return (error as HostNotAllowedError).reason ?? (error as HostNotAllowedError).code;
}

describe('operator connections: the host guard of managed connections', () => {
  it('admits private in-cluster addresses by default, giving the checked address', async () => {
    expect(await guardWith().check('maria.shop.svc', 3306)).to.deep.equal({
      address: '10.0.3.4',
      servername: 'maria.shop.svc',
    });
    expect(await refusal(guardWith(), '192.168.1.20')).to.equal(undefined);
  });

  it('refuses the platform’s PostgreSQL (its URL’s host and TENANT_DATABASE_HOST) and Redis, by name and address', async () => {
    const guard = guardWith();
    for (const host of [
      'pg.platform.svc',
      'pgbouncer.platform.svc',
      'redis.platform.svc',
      '10.96.0.5',
      '10.96.0.7',
    ])
      expect(await refusal(guard, host), host).to.equal('platform');
  });

  it('refuses loopback, link-local, metadata and names that resolve to any of them', async () => {
    const guard = guardWith();
    expect(await refusal(guard, '127.0.0.1')).to.equal('loopback');
    expect(await refusal(guard, 'localhost')).to.equal('loopback');
    expect(await refusal(guard, '169.254.169.254')).to.equal('link-local');
    expect(await refusal(guard, 'sneaky.example.com')).to.equal('loopback');
    expect(await refusal(guard, 'nowhere.example.com')).to.equal('host_unresolvable');
  });

  it('admits what CONNECTION_ALLOW lists (the e2e MariaDB on loopback), and refuses what CONNECTION_DENY lists', async () => {
    expect(await refusal(guardWith(['127.0.0.0/8']), '127.0.0.1', 3306)).to.equal(undefined);
    expect(await refusal(guardWith([], ['10.0.0.0/8']), 'maria.shop.svc')).to.equal('denied');
    expect(await refusal(guardWith(['maria.shop.svc'], ['10.0.0.0/8']), 'maria.shop.svc')).to.equal(
      undefined,
    );
  });
});
