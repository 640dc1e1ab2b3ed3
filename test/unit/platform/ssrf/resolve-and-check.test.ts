import { expect } from 'chai';
import { PRIVATE_RANGES } from '../../../../dataplane/src/platform/config.js';
import { HostNotAllowedError, ValidationError } from '../../../../dataplane/src/platform/errors.js';
import { resolveAndCheckHost } from '../../../../dataplane/src/platform/ssrf/resolve-and-check.js';
import {
  createSsrfPolicy,
  systemResolver,
  type Resolver,
  type SsrfPolicyOptions,
} from '../../../../dataplane/src/platform/ssrf/ssrf-policy.js';

/** A deterministic DNS: names map to address lists; lookups are counted. */
function fakeDns(zone: Record<string, string[]>): Resolver & { lookups: string[] } {
  const lookups: string[] = [];
  const resolve = async (host: string) => {
    lookups.push(host);
    const addresses = zone[host];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(resolve, { lookups });
}

const ZONE = {
  'db.example.com': ['93.184.216.34'],
  'dual.example.com': ['2606:4700::1111', '93.184.216.35'],
  'mixed.example.com': ['93.184.216.34', '127.0.0.1'],
  'sneaky.example.com': ['93.184.216.34', '::ffff:169.254.169.254'],
  'internal.example.com': ['10.0.0.7'],
  'meta.example.com': ['169.254.169.254'],
  'pg.platform.svc': ['10.96.0.10'],
  'alias-of-pg.example.com': ['10.96.0.10'],
  'redis.platform.svc': ['10.96.0.11'],
  'api.partner.example': ['10.1.1.1'],
};

function policy(options: SsrfPolicyOptions = {}) {
  return createSsrfPolicy({ deny: PRIVATE_RANGES, resolve: fakeDns(ZONE), ...options });
}

async function refusal(
  host: string,
  options: SsrfPolicyOptions = {},
  port = 5432,
): Promise<HostNotAllowedError> {
  try {
    await resolveAndCheckHost(host, port, policy(options));
  } catch (error) {
    expect(error).to.be.instanceOf(HostNotAllowedError);
    return error as HostNotAllowedError;
  }
  throw new Error(`${host} was allowed`);
}

describe('ssrf: resolveAndCheckHost', () => {
  it('returns the checked address to connect to and the name for TLS', async () => {
    expect(await resolveAndCheckHost('db.example.com', 5432, policy())).to.deep.equal({
      address: '93.184.216.34',
      family: 4,
      servername: 'db.example.com',
    });
  });

  it('returns the first address when every address passes', async () => {
    expect(await resolveAndCheckHost('dual.example.com', 3306, policy())).to.deep.equal({
      address: '2606:4700::1111',
      family: 6,
      servername: 'dual.example.com',
    });
  });

  it('looks the name up once, so the driver never resolves it again (no DNS rebinding)', async () => {
    const dns = fakeDns(ZONE);
    await resolveAndCheckHost('db.example.com', 5432, createSsrfPolicy({ resolve: dns }));
    expect(dns.lookups).to.deep.equal(['db.example.com']);
  });

  it('takes IP literals as they are, with no SNI name', async () => {
    expect(await resolveAndCheckHost('93.184.216.34', 5432, policy())).to.deep.equal({
      address: '93.184.216.34',
      family: 4,
      servername: '',
    });
    expect((await resolveAndCheckHost('[2606:4700::1111]', 5432, policy())).address).to.equal(
      '2606:4700::1111',
    );
  });

  it('refuses a name when any one of its addresses is refused', async () => {
    expect((await refusal('mixed.example.com')).reason).to.equal('loopback');
    expect((await refusal('sneaky.example.com')).reason).to.equal('link-local');
  });

  it('refuses names resolving to private, metadata and platform addresses', async () => {
    expect((await refusal('internal.example.com')).reason).to.equal('denied');
    expect((await refusal('meta.example.com')).reason).to.equal('link-local');
    expect(
      (await refusal('alias-of-pg.example.com', { platformHosts: ['pg.platform.svc'] })).reason,
    ).to.equal('platform');
  });

  it('refuses the platform hosts by name, whatever they resolve to', async () => {
    const options = { platformHosts: ['pg.platform.svc', 'redis.platform.svc'], deny: [] };
    expect((await refusal('PG.platform.svc.', options)).reason).to.equal('platform');
    expect((await refusal('redis.platform.svc', options, 6379)).reason).to.equal('platform');
  });

  it('refuses localhost names before looking them up', async () => {
    for (const host of ['localhost', 'LOCALHOST.', 'db.localhost'])
      expect((await refusal(host)).reason).to.equal('loopback');
  });

  it('refuses IP literals of every refused kind', async () => {
    for (const host of [
      '127.0.0.1',
      '::1',
      '[::1]',
      '0.0.0.0',
      '::',
      '169.254.169.254',
      'fd00:ec2::254',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '10.0.0.1',
      'fe80::1%eth0',
    ]) {
      await refusal(host);
    }
  });

  const malformed: [string, string][] = [
    ['', 'empty'],
    ['/var/run/postgresql', 'a socket or file path'],
    ['/tmp/mysql.sock', 'a socket or file path'],
    ['db.example.com/x', 'a socket or file path'],
    ['C:\\pipe', 'a socket or file path'],
    ['user:pw@db.example.com', 'contains @'],
    ['db.example.com ', 'whitespace or control characters'],
    [' db.example.com', 'whitespace or control characters'],
    ['db\nexample.com', 'whitespace or control characters'],
    ['db.example.com:5432', 'not a host name or IP address'],
    ['db.example.com#x', 'not a host name or IP address'],
    ['127.1', 'not a host name or IP address'],
    ['2130706433', 'not a host name or IP address'],
    ['-db.example.com', 'not a host name or IP address'],
  ];
  for (const [host, reason] of malformed) {
    it(`refuses ${JSON.stringify(host)} without looking it up (${reason})`, async () => {
      const dns = fakeDns(ZONE);
      const error = await refusal(host, { resolve: dns });
      expect(error.reason).to.equal(reason);
      expect(dns.lookups).to.deep.equal([]);
    });
  }

  it('answers host_unresolvable for a name with no addresses', async () => {
    const error = await refusal('nowhere.example.com');
    expect(error.code).to.equal('host_unresolvable');
    expect(error.message).to.include('nowhere.example.com');
  });

  it('refuses a port outside 1-65535 as a validation error', async () => {
    for (const port of [0, 65536, 80.5, Number.NaN]) {
      const outcome = await resolveAndCheckHost('db.example.com', port, policy()).catch((e: unknown) => e);
      expect(outcome, String(port)).to.be.instanceOf(ValidationError);
    }
  });

  describe('the allow list', () => {
    it('admits private addresses by CIDR', async () => {
      const target = await resolveAndCheckHost(
        'internal.example.com',
        5432,
        policy({ allow: ['10.0.0.0/24'] }),
      );
      expect(target.address).to.equal('10.0.0.7');
    });

    it('admits loopback by address, the way the test databases are reached', async () => {
      const target = await resolveAndCheckHost('127.0.0.1', 5432, policy({ allow: ['127.0.0.1'] }));
      expect(target).to.deep.equal({ address: '127.0.0.1', family: 4, servername: '' });
    });

    it('admits a host by name, and subdomains with *.', async () => {
      expect(
        (await resolveAndCheckHost('api.partner.example', 443, policy({ allow: ['api.partner.example'] })))
          .address,
      ).to.equal('10.1.1.1');
      expect(
        (await resolveAndCheckHost('api.partner.example', 443, policy({ allow: ['*.partner.example'] })))
          .address,
      ).to.equal('10.1.1.1');
      expect(
        (
          await resolveAndCheckHost(
            'localhost',
            5432,
            policy({ allow: ['localhost'], resolve: fakeDns({ localhost: ['127.0.0.1'] }) }),
          )
        ).address,
      ).to.equal('127.0.0.1');
    });

    it('admits only what it names', async () => {
      await refusal('internal.example.com', {
        allow: ['10.1.0.0/16', 'other.example.com', '*.partner.example'],
      });
      await refusal('partner.example', {
        allow: ['*.partner.example'],
        resolve: fakeDns({ 'partner.example': ['10.1.1.1'] }),
      });
    });

    it('admits a platform host it names', async () => {
      const target = await resolveAndCheckHost(
        'pg.platform.svc',
        5432,
        policy({ platformHosts: ['pg.platform.svc'], allow: ['pg.platform.svc'] }),
      );
      expect(target.address).to.equal('10.96.0.10');
    });
  });

  describe('error messages', () => {
    it('name the host but not what it resolved to or which rule refused it', async () => {
      const error = await refusal('sneaky.example.com');
      expect(error.message).to.equal('Connections to host "sneaky.example.com" are not allowed');
      expect(error.code).to.equal('host_not_allowed');
      expect(error.status).to.equal(422);
      expect(JSON.stringify({ ...error, message: error.message })).to.not.include('169.254');
    });

    it('never repeat credentials smuggled into the host', async () => {
      const error = await refusal('admin:hunter2@db.example.com');
      expect(error.message).to.not.include('hunter2');
      expect(error.message).to.include('db.example.com');
    });
  });

  it('refuses localhost through the real system resolver', async () => {
    const error = await resolveAndCheckHost('localhost', 5432, createSsrfPolicy()).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(HostNotAllowedError);
  });

  it('refuses what the real resolver answers for localhost, behind any name', async () => {
    // The name check never sees "localhost" here: only the real addresses can refuse it.
    const real = createSsrfPolicy({ resolve: () => systemResolver('localhost') });
    const error = await resolveAndCheckHost('db.example.com', 5432, real).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(HostNotAllowedError);
    expect((error as HostNotAllowedError).reason).to.equal('loopback');
  });
});
