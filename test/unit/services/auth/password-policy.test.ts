import { expect } from 'chai';
import { ValidationError } from '../../../../dataplane/src/platform/errors.js';
import {
  assertPasswordAcceptable,
  PasswordHasher,
} from '../../../../dataplane/src/services/auth/password-policy.js';

const EMAIL = 'grace.hopper@example.test';

/** The ValidationError the policy throws, or undefined when the password is accepted. */
function refusal(password: string, email = EMAIL): ValidationError | undefined {
  try {
    assertPasswordAcceptable(password, email);
    return undefined;
  } catch (error) {
    expect(error).to.be.an.instanceOf(ValidationError);
    return error as ValidationError;
  }
}

describe('password policy', () => {
  it('accepts long passphrases, unicode, and both edges of the length rules', () => {
    for (const ok of [
      'correct horse battery staple',
      'abcdabcdab', // exactly 10 characters
      'abcd'.repeat(18), // exactly 72 bytes
      '日本語のパスワードです',
      '😀😁😂🤣😃😄😅😆😉😊', // 10 code points, 40 bytes
    ]) {
      expect(refusal(ok), ok).to.equal(undefined);
    }
  });

  it('refuses fewer than 10 characters, counting code points rather than UTF-16 units', () => {
    expect(refusal('abcdefghi')?.message).to.equal('password: must be at least 10 characters');
    // 9 emoji are 18 UTF-16 units but only 9 characters.
    expect(refusal('😀😁😂🤣😃😄😅😆😉')?.message).to.include('at least 10 characters');
    expect(refusal('')?.message).to.include('at least 10 characters');
  });

  it('refuses more than 72 UTF-8 bytes (bcrypt would silently truncate)', () => {
    expect(refusal('abcd'.repeat(18) + 'e')?.message).to.include('at most 72 bytes');
    // 40 characters, but 80 bytes.
    expect(refusal('éàüö'.repeat(10))?.message).to.include('at most 72 bytes');
  });

  it('refuses common passwords whatever their case', () => {
    for (const common of ['password123', 'QwertyUIOP', 'ILoveYou123', 'Welcome123']) {
      expect(refusal(common)?.message, common).to.equal('password: is too common');
    }
  });

  it('refuses passwords with fewer than 4 different characters, case-insensitively', () => {
    expect(refusal('abcabcabcabc')?.message).to.include('at least 4 different characters');
    expect(refusal('aAbBcCaAbBcC')?.message).to.include('at least 4 different characters');
    expect(refusal('abcdabcdabcd')).to.equal(undefined);
  });

  it('refuses passwords containing the local part of the email, case-insensitively', () => {
    expect(refusal('my-GRACE.HOPPER-pw')?.message).to.include('must not contain your email address');
    expect(refusal('grace hopper rocks')).to.equal(undefined);
    // Local parts shorter than 4 characters would refuse too much; they are not checked.
    expect(refusal('alpha-al-omega', 'al@example.test')).to.equal(undefined);
  });

  it('reports the problem as validation_failed on /password', () => {
    const error = refusal('short') as ValidationError;
    expect(error.status).to.equal(422);
    expect(error.code).to.equal('validation_failed');
    expect(error.errors).to.deep.equal([{ path: '/password', message: 'must be at least 10 characters' }]);
    expect(error.extensions).to.deep.equal({ errors: error.errors });
  });
});

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher(4);

  it('hashes with bcrypt at the configured cost and a fresh salt each time', async () => {
    const [a, b] = await Promise.all([hasher.hash('correct horse'), hasher.hash('correct horse')]);
    expect(a).to.match(/^\$2[aby]\$04\$/);
    expect(a).to.not.equal(b);
  });

  it('verifies the right password only', async () => {
    const hash = await hasher.hash('pässwörd-日本語-🔑');
    expect(await hasher.verify('pässwörd-日本語-🔑', hash)).to.equal(true);
    expect(await hasher.verify('passwörd-日本語-🔑', hash)).to.equal(false);
    expect(await hasher.verify('', hash)).to.equal(false);
  });

  it('answers false for an unknown account (no hash), whatever the password', async () => {
    for (const password of ['', 'anything at all', 'not-a-real-password-']) {
      expect(await hasher.verify(password, undefined)).to.equal(false);
    }
  });
});
