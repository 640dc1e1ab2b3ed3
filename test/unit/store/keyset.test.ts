import { expect } from 'chai';
import { BadRequestError } from '../../../dataplane/src/platform/errors.js';
import { decodeCursor, encodeCursor, toPage } from '../../../dataplane/src/store/keyset.js';

describe('keyset pagination', () => {
  it('round-trips a cursor', () => {
    expect(decodeCursor(encodeCursor(['a', 3]), 2)).to.deep.equal(['a', 3]);
  });

  it('rejects cursors it did not issue', () => {
    for (const bad of [
      '',
      'not-base64!',
      Buffer.from('{"a":1}').toString('base64url'),
      encodeCursor(['a']),
      Buffer.from('[{"x":1}]').toString('base64url'),
    ]) {
      expect(() => decodeCursor(bad, 2), bad).to.throw(BadRequestError);
    }
  });

  it('gives a next cursor only when a row beyond the limit exists', () => {
    const rows = [{ id: '1' }, { id: '2' }, { id: '3' }];
    const full = toPage(
      rows,
      2,
      (r) => [r.id],
      (r) => r.id,
    );
    expect(full.data).to.deep.equal(['1', '2']);
    expect(decodeCursor(full.nextCursor as string, 1)).to.deep.equal(['2']);
    expect(
      toPage(
        rows.slice(0, 2),
        2,
        (r) => [r.id],
        (r) => r.id,
      ).nextCursor,
    ).to.equal(null);
  });
});
