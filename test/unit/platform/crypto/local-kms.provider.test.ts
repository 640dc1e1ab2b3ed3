import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import {
  LocalKmsProvider,
  localKeyVersion,
} from '../../../../dataplane/src/platform/crypto/local-kms.provider.js';
import { KmsError } from '../../../../dataplane/src/platform/errors.js';

const OLD = Buffer.alloc(32, 1).toString('base64');
const NEW = Buffer.alloc(32, 2).toString('base64');
const CONTEXT = { workspace: 'w1', purpose: 'test' };

async function kmsError(promise: Promise<unknown>): Promise<KmsError> {
  const outcome = await promise.catch((e: unknown) => e);
  expect(outcome).to.be.instanceOf(KmsError);
  return outcome as KmsError;
}

describe('LocalKmsProvider', () => {
  it('wraps and unwraps a data key under the current master key', async () => {
    const kms = new LocalKmsProvider({ masterKey: OLD });
    const key = randomBytes(32);
    const { wrapped, keyVersion } = await kms.wrap(key, CONTEXT);
    expect(keyVersion)
      .to.equal(localKeyVersion(OLD))
      .and.to.match(/^k[0-9a-f]{16}$/);
    expect(wrapped).to.not.include(key.toString('base64'));
    expect(await kms.unwrap(wrapped, keyVersion, CONTEXT)).to.deep.equal(key);
  });

  it('binds the context: member order is irrelevant, a different value fails', async () => {
    const kms = new LocalKmsProvider({ masterKey: OLD });
    const { wrapped, keyVersion } = await kms.wrap(randomBytes(32), CONTEXT);
    expect(await kms.unwrap(wrapped, keyVersion, { purpose: 'test', workspace: 'w1' })).to.have.length(32);
    const error = await kmsError(kms.unwrap(wrapped, keyVersion, { ...CONTEXT, workspace: 'w2' }));
    expect(error.code).to.equal('kms_rejected');
  });

  it('derives the key version from the key: stable, and different per key', () => {
    expect(localKeyVersion(OLD)).to.equal(localKeyVersion(Buffer.alloc(32, 1)));
    expect(localKeyVersion(OLD)).to.not.equal(localKeyVersion(NEW));
  });

  it('after a master key rotation, unwraps with the retired key and re-wraps under the new one', async () => {
    const before = new LocalKmsProvider({ masterKey: OLD });
    const key = randomBytes(32);
    const old = await before.wrap(key, CONTEXT);
    const after = new LocalKmsProvider({ masterKey: NEW, retiredKeys: [OLD] });
    expect(await after.unwrap(old.wrapped, old.keyVersion, CONTEXT)).to.deep.equal(key);
    const moved = await after.rewrap(old.wrapped, old.keyVersion, CONTEXT);
    expect(moved.keyVersion).to.equal(localKeyVersion(NEW));
    const newOnly = new LocalKmsProvider({ masterKey: NEW });
    expect(await newOnly.unwrap(moved.wrapped, moved.keyVersion, CONTEXT)).to.deep.equal(key);
    const gone = await kmsError(newOnly.unwrap(old.wrapped, old.keyVersion, CONTEXT));
    expect(gone.code).to.equal('kms_key_unknown');
  });

  it('leaves a key already under the current version as it is', async () => {
    const kms = new LocalKmsProvider({ masterKey: NEW, retiredKeys: [OLD] });
    const current = await kms.wrap(randomBytes(32), CONTEXT);
    expect(await kms.rewrap(current.wrapped, current.keyVersion, CONTEXT)).to.deep.equal(current);
  });

  it('generates 256-bit data keys with their wrapped form', async () => {
    const kms = new LocalKmsProvider({ masterKey: OLD });
    const generated = await kms.generateDataKey(CONTEXT);
    expect(generated.plaintextKey).to.have.length(32);
    expect(await kms.unwrap(generated.wrapped, generated.keyVersion, CONTEXT)).to.deep.equal(
      generated.plaintextKey,
    );
  });

  it('refuses a master key that is not 32 bytes, without repeating it', () => {
    expect(() => new LocalKmsProvider({ masterKey: Buffer.from('hunter2').toString('base64') }))
      .to.throw(KmsError)
      .with.property('message')
      .that.does.not.include('aHVudGVyMg');
  });
});
