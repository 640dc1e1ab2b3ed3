import { expect } from 'chai';
import { HostNotAllowedError } from '../../../../dataplane/src/platform/errors.js';
import { createSsrfPolicy } from '../../../../dataplane/src/platform/ssrf/ssrf-policy.js';
import { hostGuard } from '../../../../dataplane/src/services/connections/platform-ports.js';

describe('hostGuard', () => {
  let lookups = 0;
  let clock = 0;
  const answers: Record<string, string> = {
    'db.example.com': '203.0.113.7',
    'evil.example.com': '169.254.169.254',
  };
  const policy = createSsrfPolicy({
    resolve: async (host) => {
      lookups++;
      const address = answers[host];
      return address ? [{ address, family: 4 }] : [];
    },
  });
  const guard = hostGuard(policy, 1000, () => clock);

  it('answers the checked address and keeps the verdict for the TTL', async () => {
    lookups = 0;
    expect(await guard.check('db.example.com', 5432)).to.deep.equal({
      address: '203.0.113.7',
      servername: 'db.example.com',
    });
    await guard.check('db.example.com', 5432);
    expect(lookups).to.equal(1);
    clock += 1001;
    await guard.check('db.example.com', 5432);
    expect(lookups).to.equal(2);
  });

  it('never keeps a refusal: each attempt is checked again', async () => {
    lookups = 0;
    for (let i = 0; i < 2; i++) {
      const error = await guard.check('evil.example.com', 5432).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(HostNotAllowedError);
    }
    expect(lookups).to.equal(2);
  });
});
