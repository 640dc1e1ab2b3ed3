import { expect } from 'chai';
import { ConflictError, ForbiddenError } from '../../../../dataplane/src/platform/errors.js';
import { memberPolicy } from '../../../../dataplane/src/services/rbac/member-policy.js';
import { ROLES, type Role } from '../../../../dataplane/src/store/roles.js';

/** Which roles each actor may grant / manage: written out, not derived, so a change shows. */
const MAY_GRANT: Record<Role, Role[]> = {
  owner: ['owner', 'admin', 'editor', 'viewer'],
  admin: ['admin', 'editor', 'viewer'],
  editor: ['editor', 'viewer'],
  viewer: ['viewer'],
};
const MAY_MANAGE = MAY_GRANT;

function outcome(fn: () => void): 'ok' | Error {
  try {
    fn();
    return 'ok';
  } catch (error) {
    return error as Error;
  }
}

describe('member policy', () => {
  describe('assertCanGrant', () => {
    for (const actor of ROLES) {
      for (const granted of ROLES) {
        const allowed = MAY_GRANT[actor].includes(granted);
        it(`${actor} ${allowed ? 'may' : 'may not'} grant ${granted}`, () => {
          const result = outcome(() => memberPolicy.assertCanGrant(actor, granted));
          if (allowed) expect(result).to.equal('ok');
          else {
            expect(result).to.be.instanceOf(ForbiddenError);
            expect((result as ForbiddenError).status).to.equal(403);
            expect((result as ForbiddenError).code).to.equal('forbidden');
          }
        });
      }
    }
  });

  describe('assertCanManage', () => {
    for (const actor of ROLES) {
      for (const target of ROLES) {
        const allowed = MAY_MANAGE[actor].includes(target);
        it(`${actor} ${allowed ? 'may' : 'may not'} change or remove a member with role ${target}`, () => {
          const result = outcome(() => memberPolicy.assertCanManage(actor, target));
          if (allowed) expect(result).to.equal('ok');
          else expect(result).to.be.instanceOf(ForbiddenError);
        });
      }
    }

    it('says why an admin cannot touch an owner', () => {
      const result = outcome(() => memberPolicy.assertCanManage('admin', 'owner'));
      expect((result as Error).message).to.match(/owner/i);
    });
  });

  describe('assertNotLastOwner', () => {
    it('refuses to let the only owner stop being one (409 last_owner)', () => {
      for (const count of [0, 1]) {
        const result = outcome(() => memberPolicy.assertNotLastOwner('owner', count));
        expect(result).to.be.instanceOf(ConflictError);
        expect((result as ConflictError).status).to.equal(409);
        expect((result as ConflictError).code).to.equal('last_owner');
      }
    });

    it('lets one of several owners go', () => {
      expect(outcome(() => memberPolicy.assertNotLastOwner('owner', 2))).to.equal('ok');
      expect(outcome(() => memberPolicy.assertNotLastOwner('owner', 5))).to.equal('ok');
    });

    it('never concerns members who are not owners', () => {
      for (const role of ['admin', 'editor', 'viewer'] as const) {
        expect(
          outcome(() => memberPolicy.assertNotLastOwner(role, 1)),
          role,
        ).to.equal('ok');
      }
    });
  });
});
