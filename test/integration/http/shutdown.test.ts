import { expect } from 'chai';
import pg from 'pg';
import { startTestApp } from '../../support/test-app.js';

describe('graceful stop with a request whose client hung up', () => {
  it('waits for the abandoned handler: its change is committed before the pools close', async function () {
    this.timeout(30_000);
    const app = await startTestApp({ BCRYPT_COST: '12', SHUTDOWN_TIMEOUT_MS: '10000' });
    try {
      const email = `abandoned-${Date.now()}@example.test`;
      const abort = new AbortController();
      const pending = fetch(`${app.url}/api/v1/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: 'correct horse battery staple', name: 'Gone' }),
        signal: abort.signal,
      }).catch((error: Error) => error);
      await new Promise((resolve) => setTimeout(resolve, 100)); // the handler is now hashing
      abort.abort();
      expect(await pending).to.be.instanceOf(Error);
      await app.dataplane.stop();

      const client = new pg.Client({ connectionString: app.databaseUrl });
      await client.connect();
      try {
        const { rowCount } = await client.query('SELECT 1 FROM lt_control.users WHERE email = $1', [email]);
        expect(rowCount).to.equal(1);
      } finally {
        await client.end();
      }
    } finally {
      await app.stop();
    }
  });
});
