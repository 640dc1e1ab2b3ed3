import { expect } from 'chai';
import { AwsKmsProvider } from '../../../../dataplane/src/platform/crypto/aws-kms.provider.js';
import { signAwsRequest } from '../../../../dataplane/src/platform/crypto/aws-sigv4.js';
import type { FetchLike } from '../../../../dataplane/src/platform/crypto/kms-provider.js';
import { KmsError } from '../../../../dataplane/src/platform/errors.js';
import { AwsKmsFake } from '../../../fixtures/kms/aws-kms-fake.js';
import { credentialCipherSuite } from './cipher-suite.js';

const CREDENTIALS = { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake/secret+key' };
const TEMPORARY = {
  accessKeyId: 'ASIAFAKE',
  secretAccessKey: 'temporary-secret',
  sessionToken: 'session-token',
};
const CONTEXT = { workspace: 'w1', purpose: 'test' };

async function kmsError(promise: Promise<unknown>): Promise<KmsError> {
  const outcome = await promise.catch((e: unknown) => e);
  expect(outcome).to.be.instanceOf(KmsError);
  return outcome as KmsError;
}

describe('AwsKmsProvider against the AWS KMS fake (real HTTP, SigV4 verified)', () => {
  let fake: AwsKmsFake;
  let keyArn: string;
  const provider = (options: Partial<ConstructorParameters<typeof AwsKmsProvider>[0]> = {}) =>
    new AwsKmsProvider({
      region: 'us-east-1',
      keyId: 'alias/lt',
      endpoint: fake.url,
      credentials: CREDENTIALS,
      ...options,
    });

  beforeEach(async () => {
    fake = await AwsKmsFake.start({ credentials: [CREDENTIALS, TEMPORARY] });
    keyArn = fake.createKey('lt');
  });
  afterEach(() => fake.close());

  it('wraps with Encrypt and unwraps with Decrypt; the key version is the key ARN', async () => {
    const kms = provider();
    const key = Buffer.alloc(32, 7);
    const { wrapped, keyVersion } = await kms.wrap(key, CONTEXT);
    expect(keyVersion).to.equal(keyArn);
    expect(await kms.unwrap(wrapped, keyVersion, CONTEXT)).to.deep.equal(key);
    expect(fake.log.map((l) => [l.action, l.status])).to.deep.equal([
      ['Encrypt', 200],
      ['Decrypt', 200],
    ]);
  });

  it('generates data keys with GenerateDataKey', async () => {
    const generated = await provider().generateDataKey(CONTEXT);
    expect(generated.plaintextKey).to.have.length(32);
    expect(await provider().unwrap(generated.wrapped, generated.keyVersion, CONTEXT)).to.deep.equal(
      generated.plaintextKey,
    );
    expect(fake.log[0]).to.deep.equal({ action: 'GenerateDataKey', status: 200 });
  });

  it('enforces the EncryptionContext', async () => {
    const kms = provider();
    const { wrapped, keyVersion } = await kms.wrap(Buffer.alloc(32, 1), CONTEXT);
    const error = await kmsError(kms.unwrap(wrapped, keyVersion, { ...CONTEXT, workspace: 'w2' }));
    expect(error.message).to.equal('AWS KMS Decrypt failed: HTTP 400 InvalidCiphertextException');
    expect(error.code).to.equal('kms_rejected');
  });

  it('signs with temporary credentials and their session token', async () => {
    const kms = provider({ credentials: TEMPORARY });
    const { wrapped, keyVersion } = await kms.wrap(Buffer.alloc(32, 2), CONTEXT);
    expect(await kms.unwrap(wrapped, keyVersion, CONTEXT)).to.deep.equal(Buffer.alloc(32, 2));
  });

  describe('the fake verifies the signature, so the signer is proven real', () => {
    it('refuses a request signed with the wrong secret', async () => {
      const error = await kmsError(
        provider({ credentials: { ...CREDENTIALS, secretAccessKey: 'wrong' } }).wrap(
          Buffer.alloc(32),
          CONTEXT,
        ),
      );
      expect(error.message).to.equal('AWS KMS Encrypt failed: HTTP 400 InvalidSignatureException');
      expect(fake.log).to.deep.equal([
        { action: 'Encrypt', status: 400, error: 'InvalidSignatureException' },
      ]);
    });

    it('refuses an unknown access key and a missing session token', async () => {
      expect(
        (
          await kmsError(
            provider({ credentials: { ...CREDENTIALS, accessKeyId: 'AKIDOTHER' } }).wrap(
              Buffer.alloc(32),
              CONTEXT,
            ),
          )
        ).message,
      ).to.include('UnrecognizedClientException');
      const { sessionToken: _dropped, ...withoutToken } = TEMPORARY;
      expect(
        (await kmsError(provider({ credentials: withoutToken }).wrap(Buffer.alloc(32), CONTEXT))).message,
      ).to.include('UnrecognizedClientException');
    });

    it('refuses a body changed after signing', async () => {
      const tampering: FetchLike = (url, init) =>
        fetch(url, { ...init, body: String(init.body).replace('"w1"', '"w9"') });
      const error = await kmsError(provider({ fetch: tampering }).wrap(Buffer.alloc(32), CONTEXT));
      expect(error.message).to.include('InvalidSignatureException');
    });

    it('refuses a signature for another region or a stale date', async () => {
      expect(
        (await kmsError(provider({ region: 'eu-west-1' }).wrap(Buffer.alloc(32), CONTEXT))).message,
      ).to.include('InvalidSignatureException');
      const stale = () => new Date(Date.now() - 60 * 60_000);
      expect((await kmsError(provider({ now: stale }).wrap(Buffer.alloc(32), CONTEXT))).message).to.include(
        'InvalidSignatureException',
      );
    });

    it('refuses an unsigned request', async () => {
      const response = await fetch(fake.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.Encrypt' },
        body: JSON.stringify({ KeyId: 'alias/lt', Plaintext: 'AA==' }),
      });
      expect(response.status).to.equal(400);
      expect(await response.json()).to.have.property('__type', 'MissingAuthenticationTokenException');
    });

    it('accepts a request another signer would produce from the same inputs', async () => {
      const body = JSON.stringify({ KeyId: 'alias/lt', Plaintext: Buffer.alloc(4).toString('base64') });
      const headers = signAwsRequest({
        method: 'POST',
        url: new URL(fake.url),
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.Encrypt' },
        body,
        region: 'us-east-1',
        service: 'kms',
        credentials: CREDENTIALS,
        now: new Date(),
      });
      delete headers.host;
      const response = await fetch(fake.url, { method: 'POST', headers, body });
      expect(response.status).to.equal(200);
    });
  });

  it('reports a missing or disabled key and an unreachable endpoint without details', async () => {
    expect(
      (await kmsError(provider({ keyId: 'alias/nope' }).wrap(Buffer.alloc(32), CONTEXT))).message,
    ).to.equal('AWS KMS Encrypt failed: HTTP 400 NotFoundException');
    fake.disableKey(keyArn);
    expect((await kmsError(provider().wrap(Buffer.alloc(32), CONTEXT))).message).to.include(
      'DisabledException',
    );
    const closed = fake.url;
    await fake.close();
    const error = await kmsError(provider({ endpoint: closed }).wrap(Buffer.alloc(32, 0x41), CONTEXT));
    expect(error.code).to.equal('kms_unavailable');
    expect(error.message).to.not.include(Buffer.alloc(32, 0x41).toString('base64'));
    fake = await AwsKmsFake.start({ credentials: [CREDENTIALS] });
  });

  describe('CredentialCipher over AWS KMS', () => {
    credentialCipherSuite(async () => ({
      provider: provider(),
      rotateProviderKey: () => fake.updateAlias('lt', fake.createKey()),
    }));
  });
});
