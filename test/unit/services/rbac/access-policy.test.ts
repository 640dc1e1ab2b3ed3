import { expect } from 'chai';
import { ForbiddenError } from '../../../../dataplane/src/platform/errors.js';
import { AccessPolicy, type PolicyRule } from '../../../../dataplane/src/services/rbac/access-policy.js';

const row = { kind: 'row' as const, id: 'r1', createdBy: 'u-editor' };

describe('AccessPolicy', () => {
  it('follows the role matrix when no rule speaks', () => {
    const policy = new AccessPolicy();
    expect(policy.allows({ userId: 'u', role: 'editor' }, 'data:write', row)).to.equal(true);
    expect(policy.allows({ userId: 'u', role: 'viewer' }, 'data:write', row)).to.equal(false);
  });

  it('lets a rule deny what the matrix allows, and deny beats allow', () => {
    const onlyOwnRows: PolicyRule = (subject, permission, resource) =>
      permission === 'data:write' &&
      resource.kind === 'row' &&
      subject.role === 'editor' &&
      resource.createdBy !== subject.userId
        ? 'deny'
        : undefined;
    const alwaysAllow: PolicyRule = () => 'allow';
    const policy = new AccessPolicy([alwaysAllow, onlyOwnRows]);
    expect(policy.allows({ userId: 'u-editor', role: 'editor' }, 'data:write', row)).to.equal(true);
    expect(policy.allows({ userId: 'someone-else', role: 'editor' }, 'data:write', row)).to.equal(false);
  });

  it('lets a rule grant beyond the matrix', () => {
    const policy = new AccessPolicy([
      (s, p) => (p === 'views:publish' && s.userId === 'trusted' ? 'allow' : undefined),
    ]);
    expect(
      policy.allows({ userId: 'trusted', role: 'viewer' }, 'views:publish', { kind: 'view', id: 'v' }),
    ).to.equal(true);
    expect(
      policy.allows({ userId: 'other', role: 'viewer' }, 'views:publish', { kind: 'view', id: 'v' }),
    ).to.equal(false);
  });

  it('assert throws ForbiddenError naming the permission', () => {
    expect(() =>
      new AccessPolicy().assert({ userId: 'u', role: 'viewer' }, 'workspace:delete', {
        kind: 'workspace',
        id: 'w',
      }),
    ).to.throw(ForbiddenError, /workspace:delete/);
  });
});
