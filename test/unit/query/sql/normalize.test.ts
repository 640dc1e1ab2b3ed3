import { expect } from 'chai';
import {
  cursorValue,
  normalizeValue,
  toNumberIfSafe,
} from '../../../../dataplane/src/query/sql/normalize.js';

describe('SQL value normalisation', () => {
  it('turns integer and decimal strings into numbers only when a double holds them exactly', () => {
    expect(toNumberIfSafe('42')).to.equal(42);
    expect(toNumberIfSafe('-12.50')).to.equal(-12.5);
    expect(toNumberIfSafe('0.000000000000001')).to.equal(1e-15);
    expect(toNumberIfSafe('123456789012345.6')).to.equal('123456789012345.6');
    expect(toNumberIfSafe('9007199254740993')).to.equal('9007199254740993');
    expect(toNumberIfSafe(10n)).to.equal(10);
    expect(toNumberIfSafe('NaN')).to.equal('NaN');
  });

  it('normalises each logical type the same way for both drivers', () => {
    expect(normalizeValue('boolean', 2)).to.equal(true);
    expect(normalizeValue('boolean', 0)).to.equal(false);
    expect(normalizeValue('boolean', Buffer.from([1]))).to.equal(true);
    expect(normalizeValue('text', Buffer.from('Zoë'))).to.equal('Zoë');
    expect(normalizeValue('datetime', '2024-01-02T03:04:05.123456Z')).to.equal('2024-01-02T03:04:05.123Z');
    expect(normalizeValue('datetime', new Date(Date.UTC(2024, 0, 2)))).to.equal('2024-01-02T00:00:00.000Z');
    expect(normalizeValue('date', '2024-01-02')).to.equal('2024-01-02');
    expect(normalizeValue('json', '{"a":1}')).to.deep.equal({ a: 1 });
    expect(normalizeValue('json', 'not json')).to.equal('not json');
    expect(normalizeValue('binary', Buffer.from([0, 255]))).to.equal('AP8=');
    expect(normalizeValue('integer', null)).to.equal(null);
    expect(normalizeValue('unknown', 5n)).to.equal('5');
  });

  it('keeps cursor values lossless', () => {
    expect(cursorValue('text', Buffer.from('日本'))).to.equal('日本');
    expect(cursorValue('number', Infinity)).to.equal('Infinity');
    expect(cursorValue('boolean', 1)).to.equal(true);
    expect(cursorValue('integer', '9007199254740993')).to.equal('9007199254740993');
    expect(cursorValue('text', undefined)).to.equal(null);
  });
});
