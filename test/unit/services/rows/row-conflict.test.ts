import { expect } from 'chai';
import { ConflictError, VersionConflictError } from '../../../../dataplane/src/platform/errors.js';
import { rowConflictOf, rowVersionConflict } from '../../../../dataplane/src/services/rows/row-conflict.js';
import type { RowView } from '../../../../dataplane/src/services/rows/row-view.js';

const row = (version: number, fields: Record<string, unknown>): RowView => ({
  id: '0190b7a0-0000-7000-8000-000000000001',
  version,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-02T00:00:00.000Z',
  fields,
});

describe('row conflicts: the shape a refused row write carries (409 body, realtime event)', () => {
  const target = { tableId: '0190b7a0-0000-7000-8000-0000000000aa', rowId: row(1, {}).id };

  it('puts both sides on the error as typed data and in the problem members, keeping `current`', () => {
    const current = row(3, { Title: 'theirs' });
    const theirs = row(3, { Title: 'theirs', Double: 2 });
    const error = rowVersionConflict(current, theirs, {
      mine: { Title: 'mine' },
      baseVersion: 1,
      conflictingFields: ['Title'],
    });
    expect(error).to.be.instanceOf(VersionConflictError);
    expect([error.status, error.code]).to.deep.equal([409, 'version_conflict']);
    expect(error.current).to.equal(current);
    expect(error.extensions).to.deep.equal({
      current,
      theirs,
      mine: { Title: 'mine' },
      baseVersion: 1,
      conflictingFields: ['Title'],
    });
    expect(error.message).to.equal(
      'The row changed since version 1; it is at version 3 (changed by both: "Title")',
    );
    expect(rowConflictOf(error, target)).to.deep.equal({
      ...target,
      theirs,
      mine: { Title: 'mine' },
      baseVersion: 1,
      conflictingFields: ['Title'],
    });
  });

  it('names at most five clashing fields in the detail', () => {
    const fields = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const error = rowVersionConflict(row(2, {}), row(2, {}), {
      mine: {},
      baseVersion: 1,
      conflictingFields: fields,
    });
    expect(error.message).to.match(/"e", 2 more\)$/);
    expect(error.sides?.conflictingFields).to.deep.equal(fields);
  });

  it('finds no row conflict in other errors, nor in a version conflict without sides', () => {
    expect(rowConflictOf(new ConflictError('locked', 'row_locked'), target)).to.equal(undefined);
    expect(rowConflictOf(new VersionConflictError('stale', row(2, {})), target)).to.equal(undefined);
    expect(rowConflictOf(new Error('x'), target)).to.equal(undefined);
  });
});
