import type pg from 'pg';

/**
 * Advisory locks of the operator live in their own key space: the two-key form, with this
 * class id. The dataplane's locks use the one-key form (`pg_advisory_lock(hashtext(...))`), so a
 * hash collision can never make a tenant's own migrations wait for the operator's lock.
 */
const OPERATOR_LOCK_CLASS = 0x4c54_4f50; // "LTOP"

/**
 * Runs `work` on one dedicated session holding the tenant's advisory lock, so two reconciles of
 * the same tenant (two operator replicas during a leader hand-over, a retry overlapping a resync)
 * run one after the other. The lock goes with the session if the process dies.
 */
export async function withTenantLock<T>(
  pool: pg.Pool,
  tenant: string,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('SELECT pg_advisory_lock($1::int4, hashtext($2))', [OPERATOR_LOCK_CLASS, tenant]);
    try {
      return await work(client);
    } finally {
      await client
        .query('SELECT pg_advisory_unlock($1::int4, hashtext($2))', [OPERATOR_LOCK_CLASS, tenant])
        .catch(() => {
          broken = true;
        });
    }
  } catch (error) {
    broken = true;
    throw error;
  } finally {
    // A session that failed mid-way may still hold the lock or an open transaction: discard it.
    client.release(broken);
  }
}
