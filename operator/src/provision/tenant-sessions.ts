import pg from 'pg';
import { ProvisioningError } from './provisioning-error.js';

type Session = Pick<pg.ClientBase, 'query'>;

export interface SessionWait {
  timeoutMs: number;
  pollMs: number;
  sleep: (ms: number) => Promise<void>;
}

const defaults: SessionWait = {
  timeoutMs: 10_000,
  pollMs: 100,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Ends every session of the role and waits until they are gone (pg_terminate_backend only
 * signals). The caller has made the role NOLOGIN first, so no new session replaces them.
 * Answers how many were ended.
 */
export async function terminateRoleSessions(
  session: Session,
  role: string,
  wait: Partial<SessionWait> = {},
): Promise<number> {
  const { timeoutMs, pollMs, sleep } = { ...defaults, ...wait };
  const { rows } = await session.query<{ ended: number }>(
    `SELECT count(*)::int AS ended FROM (
       SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1 AND pid <> pg_backend_pid()
     ) t`,
    [role],
  );
  for (let waited = 0; ; waited += pollMs) {
    const left = await session.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1 AND pid <> pg_backend_pid()',
      [role],
    );
    if ((left.rows[0]?.n ?? 0) === 0) break;
    if (waited >= timeoutMs)
      throw new ProvisioningError(
        role,
        'end sessions',
        `${left.rows[0]?.n} sessions still open after ${timeoutMs} ms`,
      );
    await sleep(pollMs);
  }
  return rows[0]?.ended ?? 0;
}

export async function disableLogin(session: Session, role: string): Promise<boolean> {
  const { rows } = await session.query<{ rolcanlogin: boolean }>(
    'SELECT rolcanlogin FROM pg_roles WHERE rolname = $1',
    [role],
  );
  if (!rows[0]?.rolcanlogin) return false;
  await session.query(`ALTER ROLE ${pg.escapeIdentifier(role)} NOLOGIN`);
  return true;
}
