import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import {
  envelopeKeyVersion,
  formatEnvelope,
  parseEnvelope,
} from '../../../../dataplane/src/platform/crypto/envelope.js';

describe('credential envelope format', () => {
  const envelope = { keyVersion: 3, iv: randomBytes(12), ciphertext: randomBytes(20), tag: randomBytes(16) };
  const text = formatEnvelope(envelope);

  it('is v1.<keyVersion>.<iv>.<ciphertext>.<tag> in base64', () => {
    expect(text).to.match(/^v1\.3\.[A-Za-z0-9+/]{16}\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/]{22}==$/);
    expect(text.split('.')[2]).to.equal(envelope.iv.toString('base64'));
  });

  it('parses back to the same parts', () => {
    expect(parseEnvelope(text)).to.deep.equal(envelope);
    expect(envelopeKeyVersion(text)).to.equal(3);
  });

  it('accepts an empty ciphertext (an empty credential)', () => {
    expect(
      parseEnvelope(formatEnvelope({ ...envelope, ciphertext: Buffer.alloc(0) }))?.ciphertext.length,
    ).to.equal(0);
  });

  const [, , iv = '', ct = '', tag = ''] = text.split('.');
  const malformed: [string, string][] = [
    ['another format', `v2.3.${iv}.${ct}.${tag}`],
    ['a version of 0', `v1.0.${iv}.${ct}.${tag}`],
    ['a version that is not a number', `v1.x.${iv}.${ct}.${tag}`],
    ['a part missing', `v1.3.${iv}.${ct}`],
    ['a part too many', `v1.3.${iv}.${ct}.${tag}.x`],
    ['a short IV', `v1.3.${randomBytes(8).toString('base64')}.${ct}.${tag}`],
    ['a short tag', `v1.3.${iv}.${ct}.${randomBytes(12).toString('base64')}`],
    ['non-canonical base64', `v1.3.${iv}.${ct}x.${tag}`],
    ['plaintext', 'hunter2'],
    ['nothing', ''],
  ];
  for (const [what, bad] of malformed) {
    it(`refuses ${what}`, () => {
      expect(parseEnvelope(bad)).to.equal(undefined);
    });
  }
});
