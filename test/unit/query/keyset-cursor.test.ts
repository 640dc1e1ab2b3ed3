import { expect } from 'chai';
import { BadRequestError } from '../../../dataplane/src/platform/errors.js';
import {
  cursorFingerprint,
  decodeKeysetCursor,
  encodeKeysetCursor,
  type CursorKey,
} from '../../../dataplane/src/query/keyset-cursor.js';

const KEYS: CursorKey[] = [
  { type: 'text', nullable: true },
  { type: 'datetime', nullable: false },
  { type: 'number', nullable: true },
  { type: 'boolean', nullable: false },
  { type: 'uuid', nullable: false },
];
const VALUES = ['a', '2024-01-02 03:04:05.123456', '12.50', 1, '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b'];

describe('keyset cursors', () => {
  const fp = cursorFingerprint(['orders', [['f', 'status'], 'desc']]);

  it('round-trips the key values of the last row, NULLs included', () => {
    expect(decodeKeysetCursor(encodeKeysetCursor(fp, VALUES), fp, KEYS)).to.deep.equal(VALUES);
    const withNull = [null, ...VALUES.slice(1)];
    expect(decodeKeysetCursor(encodeKeysetCursor(fp, withNull), fp, KEYS)).to.deep.equal(withNull);
  });

  it('is opaque (base64url) and fingerprints differ by order', () => {
    expect(encodeKeysetCursor(fp, VALUES)).to.match(/^[A-Za-z0-9_-]+$/);
    expect(cursorFingerprint(['orders', [['f', 'status'], 'asc']])).not.to.equal(fp);
  });

  it('refuses cursors of another query, wrong shapes and values that do not fit the key types', () => {
    const bad = [
      '',
      'not base64!',
      encodeKeysetCursor('other', VALUES),
      encodeKeysetCursor(fp, VALUES.slice(1)),
      encodeKeysetCursor(fp, [...VALUES.slice(0, 1), null, ...VALUES.slice(2)]),
      encodeKeysetCursor(fp, [1, ...VALUES.slice(1)]),
      encodeKeysetCursor(fp, ['a', "2024-01-02'; --", ...VALUES.slice(2)]),
      encodeKeysetCursor(fp, ['a', VALUES[1]!, '1 OR 1=1', ...VALUES.slice(3)]),
      encodeKeysetCursor(fp, [...VALUES.slice(0, 3), 2, VALUES[4]!]),
      encodeKeysetCursor(fp, [...VALUES.slice(0, 4), "x' OR 'x"]),
      Buffer.from('{"f":1}').toString('base64url'),
      Buffer.from('null').toString('base64url'),
    ];
    for (const cursor of bad)
      expect(() => decodeKeysetCursor(cursor, fp, KEYS), cursor).to.throw(BadRequestError, /cursor/);
  });

  it('accepts numbers as numbers or lossless numeric strings, binary as hex, dates as YYYY-MM-DD', () => {
    const keys: CursorKey[] = [
      { type: 'integer', nullable: false },
      { type: 'number', nullable: false },
      { type: 'binary', nullable: false },
      { type: 'date', nullable: false },
    ];
    const values = ['9007199254740993', 'Infinity', '00ff10', '2024-02-29'];
    expect(decodeKeysetCursor(encodeKeysetCursor(fp, values), fp, keys)).to.deep.equal(values);
    expect(() => decodeKeysetCursor(encodeKeysetCursor(fp, [1, 2, 'abc', '2024-02-29']), fp, keys)).to.throw(
      BadRequestError,
    );
  });
});
