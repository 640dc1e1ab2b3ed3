import { ConflictError, ForbiddenError } from '../../platform/errors.js';
import { roleAtLeast, type Role } from '../../store/roles.js';

/** Finer membership rules than the route matrix can express. Each throws with the reason. */
export const memberPolicy = {
  assertCanGrant(actorRole: Role, granted: Role): void {
    if (granted === 'owner' && actorRole !== 'owner') {
      throw new ForbiddenError('Only an owner can make someone an owner');
    }
    if (!roleAtLeast(actorRole, granted)) {
      throw new ForbiddenError(`A ${actorRole} cannot grant the ${granted} role`);
    }
  },

  assertCanManage(actorRole: Role, targetRole: Role): void {
    if (targetRole === 'owner' && actorRole !== 'owner') {
      throw new ForbiddenError('Only an owner can change or remove an owner');
    }
    if (!roleAtLeast(actorRole, targetRole)) {
      throw new ForbiddenError(`A ${actorRole} cannot manage a ${targetRole}`);
    }
  },

  /** Called when `target` stops being an owner; `ownerCount` includes the target. */
  assertNotLastOwner(targetRole: Role, ownerCount: number): void {
    if (targetRole === 'owner' && ownerCount <= 1) {
      throw new ConflictError('A workspace must keep at least one owner', 'last_owner');
    }
  },
};
