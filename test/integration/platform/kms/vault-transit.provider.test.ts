import { expect } from 'chai';
import type { FetchLike } from '../../../../dataplane/src/platform/crypto/kms-provider.js';
import { VaultTransitProvider } from '../../../../dataplane/src/platform/crypto/vault-transit.provider.js';
import { KmsError } from '../../../../dataplane/src/platform/errors.js';
import { VaultTransitFake } from '../../../fixtures/kms/vault-transit-fake.js';
import { credentialCipherSuite } from './cipher-suite.js';

const TOKEN = 'hvs.fake-root-token';
const CONTEXT = { workspace: 'w1', purpose: 'test' };

async function kmsError(promise: Promise<unknown>): Promise<KmsError> {
  const outcome = await promise.catch((e: unknown) => e);
  expect(outcome).to.be.instanceOf(KmsError);
  return outcome as KmsError;
}

describe('VaultTransitProvider against the Vault transit fake (real HTTP)', () => {
  let fake: VaultTransitFake;
  const provider = (options: Partial<ConstructorParameters<typeof VaultTransitProvider>[0]> = {}) =>
    new VaultTransitProvider({ address: fake.url, token: TOKEN, keyName: 'lt', ...options });

  beforeEach(async () => {
    fake = await VaultTransitFake.start({ token: TOKEN });
    fake.createKey('lt', { derived: true });
  });
  afterEach(() => fake.close());

  it('wraps with /encrypt and unwraps with /decrypt; the key version is the vault:vN: prefix', async () => {
    const kms = provider();
    const key = Buffer.alloc(32, 3);
    const { wrapped, keyVersion } = await kms.wrap(key, CONTEXT);
    expect(wrapped).to.match(/^vault:v1:/);
    expect(keyVersion).to.equal('v1');
    expect(await kms.unwrap(wrapped, keyVersion, CONTEXT)).to.deep.equal(key);
  });

  it('generates data keys with /datakey/plaintext', async () => {
    const generated = await provider().generateDataKey(CONTEXT);
    expect(generated.plaintextKey).to.have.length(32);
    expect(await provider().unwrap(generated.wrapped, generated.keyVersion, CONTEXT)).to.deep.equal(
      generated.plaintextKey,
    );
  });

  it('enforces the context of a derived key', async () => {
    const kms = provider();
    const { wrapped, keyVersion } = await kms.wrap(Buffer.alloc(32, 1), CONTEXT);
    const error = await kmsError(kms.unwrap(wrapped, keyVersion, { ...CONTEXT, workspace: 'w2' }));
    expect(error.message).to.equal('Vault transit decrypt failed: HTTP 400');
    expect(error.code).to.equal('kms_rejected');
  });

  it('sends the context a derived key requires (the fake refuses requests without it)', async () => {
    const withoutContext: FetchLike = (url, init) => {
      const body = JSON.parse(String(init.body)) as Record<string, unknown>;
      delete body.context;
      return fetch(url, { ...init, body: JSON.stringify(body) });
    };
    expect(
      (await kmsError(provider({ fetch: withoutContext }).wrap(Buffer.alloc(32), CONTEXT))).code,
    ).to.equal('kms_rejected');
  });

  it('rewraps under the newest key version after a rotation', async () => {
    const kms = provider();
    const old = await kms.wrap(Buffer.alloc(32, 4), CONTEXT);
    expect(fake.rotateKey('lt')).to.equal(2);
    const moved = await kms.rewrap(old.wrapped, old.keyVersion, CONTEXT);
    expect(moved.keyVersion).to.equal('v2');
    expect(await kms.unwrap(moved.wrapped, moved.keyVersion, CONTEXT)).to.deep.equal(Buffer.alloc(32, 4));
    fake.setMinDecryptionVersion('lt', 2);
    expect((await kmsError(kms.unwrap(old.wrapped, old.keyVersion, CONTEXT))).code).to.equal('kms_rejected');
    expect(await kms.unwrap(moved.wrapped, moved.keyVersion, CONTEXT)).to.deep.equal(Buffer.alloc(32, 4));
  });

  it('refuses a wrapped key whose recorded version does not match its prefix', async () => {
    const kms = provider();
    const { wrapped } = await kms.wrap(Buffer.alloc(32), CONTEXT);
    expect((await kmsError(kms.unwrap(wrapped, 'v7', CONTEXT))).code).to.equal('kms_rejected');
  });

  it('is refused with a wrong token, and never repeats it', async () => {
    const error = await kmsError(provider({ token: 'hvs.wrong-token' }).wrap(Buffer.alloc(32), CONTEXT));
    expect(error.message).to.equal('Vault transit encrypt failed: HTTP 403');
    expect(fake.log).to.deep.equal([{ operation: 'encrypt', status: 403 }]);
    expect(error.message).to.not.include('wrong-token');
  });

  it('uses another mount when told', async () => {
    await fake.close();
    fake = await VaultTransitFake.start({ token: TOKEN, mount: 'kms/transit' });
    fake.createKey('lt');
    const kms = provider({ mount: 'kms/transit' });
    const { wrapped, keyVersion } = await kms.wrap(Buffer.alloc(32, 5), CONTEXT);
    expect(await kms.unwrap(wrapped, keyVersion, CONTEXT)).to.deep.equal(Buffer.alloc(32, 5));
  });

  it('reports an unknown key and an unreachable Vault as KMS errors', async () => {
    expect((await kmsError(provider({ keyName: 'missing' }).wrap(Buffer.alloc(32), CONTEXT))).code).to.equal(
      'kms_rejected',
    );
    const closed = fake.url;
    await fake.close();
    expect((await kmsError(provider({ address: closed }).wrap(Buffer.alloc(32), CONTEXT))).code).to.equal(
      'kms_unavailable',
    );
    fake = await VaultTransitFake.start({ token: TOKEN });
  });

  describe('CredentialCipher over Vault transit', () => {
    credentialCipherSuite(async () => ({
      provider: provider(),
      rotateProviderKey: () => void fake.rotateKey('lt'),
    }));
  });
});
