import pg from 'pg';
import { ProvisioningError } from './provisioning-error.js';

type Session = Pick<pg.ClientBase, 'query'>;

const q = (identifier: string) => pg.escapeIdentifier(identifier);

/** Creates the schema owned by the role when missing; an existing schema must already be the role's. */
export async function ensureTenantSchema(session: Session, schema: string, role: string): Promise<boolean> {
  const { rows } = await session.query<{ owner: string }>(
    'SELECT pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname = $1',
    [schema],
  );
  const existing = rows[0];
  if (existing) {
    if (existing.owner !== role)
      throw new ProvisioningError(
        role,
        'tenant schema',
        `schema ${schema} exists but is owned by ${existing.owner}`,
      );
    return false;
  }
  await session.query(`CREATE SCHEMA ${q(schema)} AUTHORIZATION ${q(role)}`);
  return true;
}

/**
 * Nothing of the tenant's schema is granted to anyone but its owner, and PUBLIC may not create
 * in `public` (PostgreSQL before 15 grants that by default): the tenant role can then touch no
 * schema but its own. Only what is actually granted is revoked, so a second run changes nothing.
 * Answers what it revoked.
 */
export async function revokeForeignAccess(session: Session, schema: string, role: string): Promise<string[]> {
  const revoked: string[] = [];
  const { rows: grantees } = await session.query<{ grantee: string | null }>(
    `SELECT DISTINCT CASE WHEN a.grantee = 0 THEN NULL ELSE pg_get_userbyid(a.grantee) END AS grantee
       FROM pg_namespace n, aclexplode(n.nspacl) a
      WHERE n.nspname = $1 AND a.grantee <> n.nspowner`,
    [schema],
  );
  for (const { grantee } of grantees) {
    await session.query(`REVOKE ALL ON SCHEMA ${q(schema)} FROM ${grantee === null ? 'PUBLIC' : q(grantee)}`);
    revoked.push(`${schema} from ${grantee ?? 'PUBLIC'}`);
  }
  if (await mayCreateInPublic(session, role)) {
    await session.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
    revoked.push('CREATE on public from PUBLIC');
    if (await mayCreateInPublic(session, role)) {
      await session.query(`REVOKE CREATE ON SCHEMA public FROM ${q(role)}`);
      revoked.push(`CREATE on public from ${role}`);
    }
    if (await mayCreateInPublic(session, role))
      throw new ProvisioningError(
        role,
        'revoke public',
        'the role may still create objects in schema public',
      );
  }
  return revoked;
}

async function mayCreateInPublic(session: Session, role: string): Promise<boolean> {
  const { rows } = await session.query<{ may: boolean | null }>(
    `SELECT CASE WHEN to_regnamespace('public') IS NULL THEN false
                 ELSE has_schema_privilege($1, 'public', 'CREATE') END AS may`,
    [role],
  );
  return rows[0]?.may === true;
}

export async function schemaExists(session: Session, schema: string): Promise<boolean> {
  const { rows } = await session.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
  return rows.length > 0;
}
