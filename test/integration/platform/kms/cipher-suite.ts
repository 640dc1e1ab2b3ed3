import { expect } from 'chai';
import { CredentialCipher } from '../../../../dataplane/src/platform/crypto/credential-cipher.js';
import { MemoryDataKeyStore } from '../../../../dataplane/src/platform/crypto/data-key-store.js';
import { parseEnvelope } from '../../../../dataplane/src/platform/crypto/envelope.js';
import type { KmsProvider } from '../../../../dataplane/src/platform/crypto/kms-provider.js';
import { CredentialDecryptionError } from '../../../../dataplane/src/platform/errors.js';

export interface ProviderUnderTest {
  provider: KmsProvider;
  /** Moves the provider to a new key version (or key); `provider` then answers the new one. */
  rotateProviderKey(): Promise<void> | void;
}

const WS = '0190a6c4-8d5e-7000-8000-0000000000a1';
const CONN = '0190a6c4-8d5e-7000-8000-0000000000c1';
const SECRET = 'postgres://app:s3cr3t@db.example.com/app';

/** The same CredentialCipher behaviour, run over every KMS provider. */
export function credentialCipherSuite(setup: () => Promise<ProviderUnderTest>): void {
  let subject: ProviderUnderTest;
  let store: MemoryDataKeyStore;
  let cipher: CredentialCipher;
  beforeEach(async () => {
    subject = await setup();
    store = new MemoryDataKeyStore();
    cipher = new CredentialCipher({ provider: subject.provider, store });
  });

  it('encrypts and decrypts, through a fresh cipher that must ask the KMS', async () => {
    const envelope = await cipher.encrypt(WS, CONN, SECRET);
    const cold = new CredentialCipher({ provider: subject.provider, store });
    expect(await cold.decrypt(WS, CONN, envelope)).to.equal(SECRET);
    expect((await store.load(WS))?.keys[0]?.provider).to.equal(subject.provider.name);
  });

  it('refuses a ciphertext moved to another connection', async () => {
    const envelope = await cipher.encrypt(WS, CONN, SECRET);
    const outcome = await cipher.decrypt(WS, `${CONN}-other`, envelope).catch((e: unknown) => e);
    expect(outcome).to.be.instanceOf(CredentialDecryptionError);
  });

  it('refuses a wrapped data key moved to another workspace (KMS context)', async () => {
    await cipher.encrypt(WS, CONN, SECRET);
    const record = await store.load(WS);
    if (!record) throw new Error('no data key stored');
    await store.save('other-workspace', { ...record, revision: 1 });
    const cold = new CredentialCipher({ provider: subject.provider, store });
    const outcome = await cold.encrypt('other-workspace', CONN, SECRET).catch((e: unknown) => e);
    expect(outcome).to.have.property('code', 'kms_rejected');
  });

  it('rotates: old envelopes decrypt, data keys move to the new provider key, reEncrypt moves envelopes', async () => {
    const old = await cipher.encrypt(WS, CONN, SECRET);
    const before = (await store.load(WS))?.keys[0]?.kmsKeyVersion;
    await subject.rotateProviderKey();
    // As after a restart with the new provider configuration.
    const rotating = new CredentialCipher({ provider: subject.provider, store });
    const result = await rotating.rotate(WS);
    expect(result).to.include({
      previousVersion: 1,
      version: 2,
      rewrapped: 1,
      provider: subject.provider.name,
    });
    expect(result.kmsKeyVersion).to.not.equal(before);
    const keys = (await store.load(WS))?.keys ?? [];
    expect(keys.map((k) => k.kmsKeyVersion)).to.deep.equal([result.kmsKeyVersion, result.kmsKeyVersion]);
    const cold = new CredentialCipher({ provider: subject.provider, store });
    expect(await cold.decrypt(WS, CONN, old)).to.equal(SECRET);
    const moved = await cold.reEncrypt(WS, CONN, old);
    expect(parseEnvelope(moved)?.keyVersion).to.equal(2);
    expect(await cold.decrypt(WS, CONN, moved)).to.equal(SECRET);
  });
}
