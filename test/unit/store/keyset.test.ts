import { expect } from 'chai';
import { BadRequestError } from '../../../dataplane/src/platform/errors.js';
import { decodeCursor, encodeCursor, toPage } from '../../../dataplane/src/store/keyset.js';

describe('keyset pagination', () => {
  it('round-trips a cursor', () => {
    expect(decodeCursor(encodeCursor(['a', 3]), ['text', 'integer'])).to.deep.equal(['a', 3]);
  });

  it('rejects cursors it did not issue', () => {
    for (const bad of [
      '',
      'not-base64!',
      Buffer.from('{"a":1}').toString('base64url'),
      encodeCursor(['a']),
      Buffer.from('[{"x":1}]').toString('base64url'),
    ]) {
      expect(() => decodeCursor(bad, ['text', 'integer']), bad).to.throw(BadRequestError);
    }
  });

  it('checks each value against its column kind (a forged non-uuid never reaches the database)', () => {
    const id = '01a2133e-4383-7181-a326-1076226e0330';
    expect(decodeCursor(encodeCursor([id]), ['uuid'])).to.deep.equal([id]);
    expect(() => decodeCursor(encodeCursor(["1' OR '1'='1"]), ['uuid'])).to.throw(BadRequestError);
    expect(() => decodeCursor(encodeCursor([1.5]), ['integer'])).to.throw(BadRequestError);
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
    expect(decodeCursor(full.nextCursor as string, ['text'])).to.deep.equal(['2']);
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
