import { expect } from 'chai';
import {
  PERMISSIONS,
  can,
  permissionsMarkdown,
  type Permission,
} from '../../../../dataplane/src/services/rbac/permissions.js';
import { ROLES, roleAtLeast, roleRank, type Role } from '../../../../dataplane/src/store/roles.js';

const PERMISSION_NAMES = Object.keys(PERMISSIONS) as Permission[];
const holders = (p: Permission): Role[] => ROLES.filter((r) => can(r, p));

describe('permission matrix', () => {
  it('ranks the roles owner > admin > editor > viewer', () => {
    expect(ROLES).to.deep.equal(['owner', 'admin', 'editor', 'viewer']);
    expect(roleRank('owner')).to.be.greaterThan(roleRank('admin'));
    expect(roleRank('admin')).to.be.greaterThan(roleRank('editor'));
    expect(roleRank('editor')).to.be.greaterThan(roleRank('viewer'));
    for (const a of ROLES) {
      for (const b of ROLES) expect(roleAtLeast(a, b), `${a} >= ${b}`).to.equal(roleRank(a) >= roleRank(b));
    }
  });

  it('names a known role and a description for every permission', () => {
    expect(PERMISSION_NAMES.length).to.be.greaterThan(5);
    for (const p of PERMISSION_NAMES) {
      expect(ROLES as readonly string[], p).to.include(PERMISSIONS[p].minRole);
      expect(PERMISSIONS[p].description.trim(), p).to.not.equal('');
      expect(p).to.match(/^[a-z]+(:[a-z]+)+$/);
    }
  });

  it('is monotonic: a stronger role holds everything a weaker one does', () => {
    for (const p of PERMISSION_NAMES) {
      for (const strong of ROLES) {
        for (const weak of ROLES) {
          if (roleAtLeast(strong, weak) && can(weak, p))
            expect(can(strong, p), `${strong} ${p}`).to.equal(true);
        }
      }
      expect(can('owner', p), `owner holds ${p}`).to.equal(true);
    }
  });

  it('follows the rules of the issue', () => {
    // Only an owner deletes a workspace or transfers ownership.
    expect(holders('workspace:delete')).to.deep.equal(['owner']);
    expect(holders('workspace:transfer')).to.deep.equal(['owner']);
    // Admins manage members and settings, editors do not.
    expect(holders('workspace:members:manage')).to.deep.equal(['owner', 'admin']);
    expect(holders('workspace:update')).to.deep.equal(['owner', 'admin']);
    expect(holders('workspace:audit:read')).to.deep.equal(['owner', 'admin']);
    // Editors change data; viewers read.
    expect(holders('data:write')).to.deep.equal(['owner', 'admin', 'editor']);
    for (const p of ['workspace:read', 'workspace:members:read', 'data:read'] as const) {
      expect(holders(p), p).to.deep.equal([...ROLES]);
    }
    // A viewer holds nothing that changes anything.
    const viewerCan = PERMISSION_NAMES.filter((p) => can('viewer', p));
    expect(viewerCan.every((p) => p.endsWith(':read'))).to.equal(true);
  });

  it('renders as a Markdown table that agrees with can()', () => {
    const md = permissionsMarkdown();
    expect(md).to.match(/^# Permissions\n/);
    expect(md).to.include('| permission | owner | admin | editor | viewer | what it allows |');
    const rows = md.split('\n').filter((line) => line.startsWith('| `'));
    expect(rows).to.have.length(PERMISSION_NAMES.length);
    for (const p of PERMISSION_NAMES) {
      const row = rows.find((r) => r.startsWith(`| \`${p}\` |`));
      expect(row, p).to.be.a('string');
      const cells = (row as string).split('|').map((c) => c.trim());
      expect(cells.slice(2, 6), p).to.deep.equal(ROLES.map((r) => (can(r, p) ? 'yes' : '—')));
      expect(cells[6]).to.equal(PERMISSIONS[p].description);
    }
  });
});
