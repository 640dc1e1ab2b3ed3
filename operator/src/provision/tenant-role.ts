import pg from 'pg';
import { ProvisioningError } from './provisioning-error.js';

type Session = Pick<pg.ClientBase, 'query'>;

interface RoleRow {
  rolsuper: boolean;
  rolcreatedb: boolean;
  rolcreaterole: boolean;
  rolcanlogin: boolean;
  rolconnlimit: number;
}

export interface TenantRoleSpec {
  role: string;
  /** Used only when the role is created (or its password no longer opens it, see resetPassword). */
  password: string;
  connectionLimit: number;
}

/** What ensureTenantRole did: `changed` lists the attributes it had to correct. */
export interface TenantRoleOutcome {
  created: boolean;
  changed: string[];
}

const q = (identifier: string) => pg.escapeIdentifier(identifier);

async function readRole(session: Session, role: string): Promise<RoleRow | undefined> {
  const { rows } = await session.query<RoleRow>(
    'SELECT rolsuper, rolcreatedb, rolcreaterole, rolcanlogin, rolconnlimit FROM pg_roles WHERE rolname = $1',
    [role],
  );
  return rows[0];
}

/**
 * The tenant role: LOGIN, no SUPERUSER/CREATEDB/CREATEROLE, its CONNECTION LIMIT. Created with the
 * password when missing; an existing role keeps its password (nothing is rotated) and only the
 * attributes that differ are corrected, so a second run changes nothing.
 *
 * CREATE ROLE takes no bind parameters, so the password is written as a literal escaped by
 * pg.escapeLiteral; the statement is never logged and never part of an error message.
 */
export async function ensureTenantRole(session: Session, spec: TenantRoleSpec): Promise<TenantRoleOutcome> {
  const current = await readRole(session, spec.role);
  if (!current) {
    await session.query(
      `CREATE ROLE ${q(spec.role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION ` +
        `CONNECTION LIMIT ${Math.trunc(spec.connectionLimit)} PASSWORD ${pg.escapeLiteral(spec.password)}`,
    );
    return { created: true, changed: [] };
  }
  if (current.rolsuper)
    throw new ProvisioningError(
      spec.role,
      'tenant role',
      'the role is a superuser; refusing to hand it to a tenant',
    );
  const fixes: [string, boolean][] = [
    ['LOGIN', !current.rolcanlogin],
    ['NOCREATEDB', current.rolcreatedb],
    ['NOCREATEROLE', current.rolcreaterole],
    [`CONNECTION LIMIT ${Math.trunc(spec.connectionLimit)}`, current.rolconnlimit !== spec.connectionLimit],
  ];
  const changed = fixes.filter(([, needed]) => needed).map(([clause]) => clause);
  if (changed.length > 0) await session.query(`ALTER ROLE ${q(spec.role)} ${changed.join(' ')}`);
  return { created: false, changed };
}

/** Sets the role's password to the Secret's (when the Secret was made anew for an existing role). */
export async function resetPassword(session: Session, role: string, password: string): Promise<void> {
  await session.query(`ALTER ROLE ${q(role)} PASSWORD ${pg.escapeLiteral(password)}`);
}

/**
 * The operator acts as the tenant role for what only an owner may do (CREATE SCHEMA ... AUTHORIZATION,
 * DROP SCHEMA, ending its sessions). A superuser already can; a CREATEROLE role grants itself
 * membership (the tenant role gains nothing from it: membership points the other way).
 */
export async function ensureOperatorMembership(session: Session, role: string): Promise<boolean> {
  const { rows } = await session.query<{ usable: boolean }>(
    "SELECT pg_has_role(current_user, $1, 'USAGE') AS usable",
    [role],
  );
  if (rows[0]?.usable) return false;
  await session.query(`GRANT ${q(role)} TO CURRENT_USER`);
  return true;
}

export async function roleExists(session: Session, role: string): Promise<boolean> {
  return (await readRole(session, role)) !== undefined;
}
