import { expect } from 'chai';
import { DataplaneProcess, TEST_JWT_SECRET } from './harness.js';

/** EX_CONFIG from sysexits.h: what main.ts exits with on a configuration error. */
const EX_CONFIG = 78;

describe('process: start-up with a bad configuration', function () {
  this.timeout(120_000);
  const started: DataplaneProcess[] = [];
  after(() => Promise.all(started.map((p) => p.dispose())));

  /** Runs the entry point to its end; fails at once if it gets as far as listening. */
  async function runToExit(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
    const proc = new DataplaneProcess({ PORT: '0', HOST: '127.0.0.1', LT_DATA_DIR: '/nonexistent', ...env });
    started.push(proc);
    const listening = proc.url().then(
      (url) => Promise.reject(new Error(`started on ${url} with ${JSON.stringify(env)}`)),
      () => new Promise<never>(() => undefined), // exited before listening: what we want
    );
    const exit = await Promise.race([proc.exited, listening]);
    return { code: exit.code, stderr: proc.stderr };
  }

  const cases: { name: string; env: Record<string, string>; mentions: string[] }[] = [
    { name: 'PORT=abc', env: { PORT: 'abc' }, mentions: ['PORT="abc"', 'integer'] },
    { name: 'PORT=99999', env: { PORT: '99999' }, mentions: ['PORT="99999"', 'maximum 65535'] },
    {
      name: 'LOG_LEVEL=loud',
      env: { LOG_LEVEL: 'loud' },
      mentions: ['LOG_LEVEL="loud"', 'one of fatal, error, warn, info, debug, trace, silent'],
    },
    { name: 'TRUST_PROXY=perhaps', env: { TRUST_PROXY: 'perhaps' }, mentions: ['TRUST_PROXY', 'boolean'] },
    { name: 'BCRYPT_COST=2', env: { BCRYPT_COST: '2' }, mentions: ['BCRYPT_COST="2"', 'minimum 4'] },
    {
      name: 'DATABASE_URL of another scheme',
      env: { DATABASE_URL: 'mysql://root:s3cret-pw@db/lt' },
      mentions: ['DATABASE_URL', 'postgres'],
    },
    {
      name: 'LT_WORKSPACE without JWT_SECRET',
      env: { LT_WORKSPACE: 'acme', DATABASE_URL: 'postgres://127.0.0.1:1/x' },
      mentions: ['JWT_SECRET is required in tenant mode'],
    },
    {
      name: 'LT_WORKSPACE without DATABASE_URL',
      env: { LT_WORKSPACE: 'acme', JWT_SECRET: TEST_JWT_SECRET },
      mentions: ['DATABASE_URL is required in tenant mode'],
    },
    {
      name: 'NODE_ENV=production without JWT_SECRET',
      env: { NODE_ENV: 'production' },
      mentions: ['JWT_SECRET is required', 'NODE_ENV=production'],
    },
  ];

  for (const { name, env, mentions } of cases) {
    it(`${name}: exits ${EX_CONFIG} with a message naming the variable`, async () => {
      const { code, stderr } = await runToExit(env);
      expect(code).to.equal(EX_CONFIG);
      expect(stderr).to.match(/^live-tables: configuration error: /);
      for (const text of mentions) expect(stderr).to.include(text);
      expect(stderr, 'a configuration error is one line, not a stack trace').to.not.match(/\n\s+at /);
    });
  }

  it('never prints the value of a secret it rejects', async () => {
    const { stderr } = await runToExit({ DATABASE_URL: 'mysql://root:s3cret-pw@db/lt', JWT_SECRET: 'tiny' });
    expect(stderr).to.not.include('s3cret-pw');
  });

  it('an unreachable database stops start-up with a non-zero exit and the reason', async () => {
    const { code, stderr } = await runToExit({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nothing',
      JWT_SECRET: TEST_JWT_SECRET,
      LT_MASTER_KEY: Buffer.alloc(32).toString('base64'),
    });
    expect(code).to.not.equal(0);
    expect(code).to.not.equal(null);
    expect(stderr).to.include('live-tables: failed to start');
    expect(stderr).to.include('ECONNREFUSED');
  });
});
