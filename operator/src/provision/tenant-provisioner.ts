import pg from 'pg';
import type { Logger } from '../../../dataplane/src/platform/logger.js';
import { step } from './provisioning-error.js';
import { withTenantLock } from './tenant-lock.js';
import { passwordOpensRole, migrateTenant } from './tenant-migrations.js';
import { ensureOperatorMembership, ensureTenantRole, resetPassword, roleExists } from './tenant-role.js';
import { ensureTenantSchema, revokeForeignAccess, schemaExists } from './tenant-schema.js';
import { disableLogin, terminateRoleSessions, type SessionWait } from './tenant-sessions.js';

/** One tenant's database, as the Workspace and its Secret describe it. */
export interface TenantDatabaseSpec {
  /** The Workspace's name (the dataplane's LT_WORKSPACE). */
  slug: string;
  /** `lt_ws_<name>`: the schema and the role. */
  schema: string;
  displayName: string;
  ownerEmail: string;
  /** The Secret's password and the DATABASE_URL that carries it. */
  password: string;
  databaseUrl: string;
  connectionLimit: number;
}

/** What provision did, for Events and logs (never a password). */
export interface ProvisionOutcome {
  roleCreated: boolean;
  /** Role attributes corrected (`LOGIN` after a Retain, a new `CONNECTION LIMIT` ...). */
  roleChanged: string[];
  passwordReset: boolean;
  schemaCreated: boolean;
  revoked: string[];
  /** Migrations applied now (`control/<name>`, `workspace/<name>`). */
  migrations: string[];
}

export interface DeprovisionOutcome {
  policy: 'Retain' | 'Delete';
  sessionsEnded: number;
  schemaDropped: boolean;
  roleDropped: boolean;
  loginDisabled: boolean;
}

/**
 * Creates and removes tenants' schemas and roles on the platform database. Every operation on a
 * tenant holds that tenant's advisory lock for its whole duration, so concurrent reconciles of one
 * tenant serialise, and each is idempotent: it does only what is missing.
 */
export class TenantProvisioner {
  constructor(
    /** The operator's own connection to the platform database (PLATFORM_DATABASE_URL). */
    private readonly platform: pg.Pool,
    private readonly log: Logger,
    private readonly sessionWait: Partial<SessionWait> = {},
  ) {}

  provision(spec: TenantDatabaseSpec): Promise<ProvisionOutcome> {
    const role = spec.schema;
    return withTenantLock(this.platform, role, async (session) => {
      const roleOutcome = await step(role, 'tenant role', () =>
        ensureTenantRole(session, { role, password: spec.password, connectionLimit: spec.connectionLimit }),
      );
      await step(role, 'operator membership', () => ensureOperatorMembership(session, role));
      const schemaCreated = await step(role, 'tenant schema', () =>
        ensureTenantSchema(session, spec.schema, role),
      );
      const revoked = await step(role, 'revoke foreign access', () =>
        revokeForeignAccess(session, spec.schema, role),
      );
      // An existing role keeps its password, unless the Secret was made anew: then the Secret's wins.
      const passwordReset =
        !roleOutcome.created &&
        !(await step(role, 'password check', () => passwordOpensRole(spec.databaseUrl)));
      if (passwordReset)
        await step(role, 'password reset', () => resetPassword(session, role, spec.password));
      const migrations = await step(role, 'migrations', () =>
        migrateTenant(
          spec.databaseUrl,
          {
            slug: spec.slug,
            schema: spec.schema,
            displayName: spec.displayName,
            ownerEmail: spec.ownerEmail.toLowerCase(),
          },
          this.log,
        ),
      );
      const outcome: ProvisionOutcome = {
        roleCreated: roleOutcome.created,
        roleChanged: roleOutcome.changed,
        passwordReset,
        schemaCreated,
        revoked,
        migrations,
      };
      this.log.info({ tenant: spec.slug, schema: spec.schema, ...outcome }, 'tenant database provisioned');
      return outcome;
    });
  }

  /**
   * Delete: the role stops logging in, its sessions end, then the schema (CASCADE) and the role
   * are dropped. Retain: the role stops logging in and its sessions end; schema and role stay.
   * Nothing left to do is not an error (a second run, or a tenant never provisioned).
   */
  deprovision(schema: string, policy: 'Retain' | 'Delete'): Promise<DeprovisionOutcome> {
    const role = schema;
    return withTenantLock(this.platform, role, async (session) => {
      const outcome: DeprovisionOutcome = {
        policy,
        sessionsEnded: 0,
        schemaDropped: false,
        roleDropped: false,
        loginDisabled: false,
      };
      const hasRole = await roleExists(session, role);
      if (hasRole) {
        await step(role, 'operator membership', () => ensureOperatorMembership(session, role));
        outcome.loginDisabled = await step(role, 'disable login', () => disableLogin(session, role));
        outcome.sessionsEnded = await step(role, 'end sessions', () =>
          terminateRoleSessions(session, role, this.sessionWait),
        );
      }
      if (policy === 'Delete') {
        if (await schemaExists(session, schema)) {
          await step(role, 'drop schema', () =>
            session.query(`DROP SCHEMA ${pg.escapeIdentifier(schema)} CASCADE`),
          );
          outcome.schemaDropped = true;
        }
        if (hasRole) {
          const q = pg.escapeIdentifier(role);
          // DROP OWNED also revokes what was granted to the role, which DROP ROLE would refuse.
          await step(role, 'drop role', async () => {
            await session.query(`DROP OWNED BY ${q}`);
            await session.query(`DROP ROLE ${q}`);
          });
          outcome.roleDropped = true;
        }
      }
      this.log.info({ schema, ...outcome }, 'tenant database deprovisioned');
      return outcome;
    });
  }
}
