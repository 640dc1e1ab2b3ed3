import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { BadRequestError } from '../../../../dataplane/src/platform/errors.js';
import { CursorSeal } from '../../../../dataplane/src/services/views/view-cursor.js';

describe('view cursors, sealed', () => {
  const seal = new CursorSeal(randomBytes(32));
  const cursor = Buffer.from(JSON.stringify({ v: [914213, 'secret@example.test'] })).toString('base64url');

  it('opens what it sealed for the same view, and shows nothing of it', () => {
    const sealed = seal.seal(cursor, 'view-1');
    expect(seal.open(sealed, 'view-1')).to.equal(cursor);
    const bytes = Buffer.from(sealed, 'base64url').toString('latin1');
    expect(bytes).to.not.contain('914213');
    expect(sealed).to.not.contain(cursor.slice(0, 12));
    expect(seal.seal(cursor, 'view-1'), 'a fresh IV each time').to.not.equal(sealed);
  });

  it('refuses a cursor of another view, a tampered one, another key’s, and garbage (400 invalid_cursor)', () => {
    const sealed = seal.seal(cursor, 'view-1');
    const tampered = Buffer.from(sealed, 'base64url');
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    for (const [bad, view] of [
      [sealed, 'view-2'],
      [tampered.toString('base64url'), 'view-1'],
      [new CursorSeal(randomBytes(32)).seal(cursor, 'view-1'), 'view-1'],
      ['not a cursor', 'view-1'],
      ['', 'view-1'],
    ] as const) {
      expect(() => seal.open(bad, view))
        .to.throw(BadRequestError)
        .with.property('code', 'invalid_cursor');
    }
  });
});
