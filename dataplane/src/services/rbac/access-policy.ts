import { ForbiddenError } from '../../platform/errors.js';
import type { Role } from '../../store/roles.js';
import { can, type Permission } from './permissions.js';

/** What a permission is being exercised on. Later resources (bases, rows) add their own kinds. */
export interface ResourceRef {
  kind: 'workspace' | 'base' | 'table' | 'row' | 'view' | 'connection';
  id: string;
  /** The user who created the resource, when a rule cares (e.g. "editors edit their own rows"). */
  createdBy?: string | null;
}

export interface Subject {
  userId: string;
  role: Role;
}

/** A finer rule: `deny` overrides the matrix, `allow` grants beyond it, undefined abstains. */
export type PolicyRule = (
  subject: Subject,
  permission: Permission,
  resource: ResourceRef,
) => 'allow' | 'deny' | undefined;

/**
 * The one place access questions are answered. Routes ask about the workspace; services ask
 * about a given base, table or row. The role matrix decides unless a registered rule does.
 */
export class AccessPolicy {
  constructor(private readonly rules: readonly PolicyRule[] = []) {}

  allows(subject: Subject, permission: Permission, resource: ResourceRef): boolean {
    let granted = can(subject.role, permission);
    for (const rule of this.rules) {
      const verdict = rule(subject, permission, resource);
      if (verdict === 'deny') return false;
      if (verdict === 'allow') granted = true;
    }
    return granted;
  }

  assert(subject: Subject, permission: Permission, resource: ResourceRef): void {
    if (!this.allows(subject, permission, resource)) {
      throw new ForbiddenError(`Your role (${subject.role}) lacks ${permission} on this ${resource.kind}`);
    }
  }
}
