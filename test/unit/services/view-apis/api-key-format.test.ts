import { createHash } from 'node:crypto';
import { expect } from 'chai';
import {
  generateApiKey,
  hashSecret,
  parseApiKey,
  secretMatches,
} from '../../../../dataplane/src/services/view-apis/api-key-format.js';

describe('API key format', () => {
  it('makes lt_<10-char prefix>_<256-bit base64url secret> keys, each different', () => {
    const keys = Array.from({ length: 200 }, () => generateApiKey());
    for (const { key, prefix } of keys) {
      expect(key).to.match(/^lt_[a-z0-9]{10}_[A-Za-z0-9_-]{43}$/);
      expect(key.slice(3, 13)).to.equal(prefix);
      expect(Buffer.from(key.slice(14), 'base64url')).to.have.length(32);
    }
    expect(new Set(keys.map((k) => k.key)).size).to.equal(200);
    expect(new Set(keys.map((k) => k.prefix)).size).to.equal(200);
  });

  it('keeps the SHA-256 of the secret only, and recognises it', () => {
    const { key, secretHash } = generateApiKey();
    const parts = parseApiKey(key);
    expect(parts).to.not.equal(undefined);
    expect(secretHash).to.equal(createHash('sha256').update(String(parts?.secret)).digest('hex'));
    expect(secretHash).to.not.include(String(parts?.secret));
    expect(secretMatches(String(parts?.secret), secretHash)).to.equal(true);
    expect(secretMatches(`${parts?.secret.slice(0, -1)}x`, secretHash)).to.equal(false);
    expect(secretMatches('short', secretHash)).to.equal(false);
    expect(secretMatches(String(parts?.secret), 'not hex')).to.equal(false);
    expect(hashSecret('a')).to.have.length(64);
  });

  it('parses only well-formed keys (a secret may contain _ and -)', () => {
    const secret = `a_b-${'C'.repeat(39)}`;
    expect(parseApiKey(`lt_abcdefghij_${secret}`)).to.deep.equal({ prefix: 'abcdefghij', secret });
    for (const bad of [
      '',
      'lt_abcdefghij',
      `lt_ABCDEFGHIJ_${secret}`,
      `lt_abcdefghi_${secret}`,
      `lt_abcdefghij_${secret}x`,
      `xx_abcdefghij_${secret}`,
      ` lt_abcdefghij_${secret}`,
    ])
      expect(parseApiKey(bad), bad).to.equal(undefined);
  });
});
