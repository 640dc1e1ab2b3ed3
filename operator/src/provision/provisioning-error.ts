/**
 * A provisioning step that failed. The message names the tenant and the step, and carries the
 * database's own message; it never holds a password (PostgreSQL does not repeat statements in
 * its error messages, and no statement text is added here).
 */
export class ProvisioningError extends Error {
  readonly code = 'provisioning_failed';
  constructor(
    readonly tenant: string,
    readonly step: string,
    detail: string,
    /** PostgreSQL's SQLSTATE, when the database refused. */
    readonly sqlState?: string,
  ) {
    super(`Provisioning ${tenant}: ${step} failed: ${detail}`);
  }
}

interface PgLikeError {
  code?: string;
  message?: string;
}

/** Runs one step; a failure becomes a ProvisioningError naming it. */
export async function step<T>(tenant: string, name: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ProvisioningError) throw error;
    const e = (typeof error === 'object' && error !== null ? error : {}) as PgLikeError;
    throw new ProvisioningError(tenant, name, e.message ?? String(error), e.code);
  }
}
