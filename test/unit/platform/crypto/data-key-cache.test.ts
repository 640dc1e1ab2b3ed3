import { createSecretKey } from 'node:crypto';
import { expect } from 'chai';
import { CredentialCipher } from '../../../../dataplane/src/platform/crypto/credential-cipher.js';
import { DataKeyCache } from '../../../../dataplane/src/platform/crypto/data-key-cache.js';
import { MemoryDataKeyStore } from '../../../../dataplane/src/platform/crypto/data-key-store.js';
import type { KmsContext } from '../../../../dataplane/src/platform/crypto/kms-provider.js';
import { LocalKmsProvider } from '../../../../dataplane/src/platform/crypto/local-kms.provider.js';

/** A local provider that counts unwraps. */
class CountingProvider extends LocalKmsProvider {
  unwraps = 0;
  override async unwrap(wrapped: string, keyVersion: string, context: KmsContext): Promise<Buffer> {
    this.unwraps++;
    return super.unwrap(wrapped, keyVersion, context);
  }
}

const key = (n: number) => createSecretKey(Buffer.alloc(32, n));

describe('DataKeyCache', () => {
  it('forgets a key once its time is up', () => {
    let now = 1000;
    const cache = new DataKeyCache({ ttlMs: 100, now: () => now });
    cache.set('w', 1, key(1));
    now = 1099;
    expect(cache.get('w', 1)).to.not.equal(undefined);
    now = 1100;
    expect(cache.get('w', 1)).to.equal(undefined);
    expect(cache.size).to.equal(0);
  });

  it('holds at most maxEntries keys, dropping the least recently used', () => {
    const cache = new DataKeyCache({ maxEntries: 2 });
    cache.set('a', 1, key(1));
    cache.set('b', 1, key(2));
    cache.get('a', 1);
    cache.set('c', 1, key(3));
    expect(cache.size).to.equal(2);
    expect(cache.get('b', 1)).to.equal(undefined);
    expect(cache.get('a', 1)).to.not.equal(undefined);
    expect(cache.get('c', 1)).to.not.equal(undefined);
  });

  it('forgets one workspace or all', () => {
    const cache = new DataKeyCache();
    cache.set('a', 1, key(1));
    cache.set('a', 2, key(2));
    cache.set('ab', 1, key(3));
    cache.forget('a');
    expect([cache.get('a', 1), cache.get('a', 2)]).to.deep.equal([undefined, undefined]);
    expect(cache.get('ab', 1)).to.not.equal(undefined);
    cache.forget();
    expect(cache.size).to.equal(0);
  });

  it('lets the cipher decrypt without the KMS while a key is cached, and asks again after', async () => {
    let now = 0;
    const provider = new CountingProvider({ masterKey: Buffer.alloc(32, 5) });
    const store = new MemoryDataKeyStore();
    const writer = new CredentialCipher({ provider, store });
    const envelope = await writer.encrypt('w', 'c', 'secret');
    const reader = new CredentialCipher({ provider, store, cache: { ttlMs: 60_000, now: () => now } });
    for (let i = 0; i < 3; i++) expect(await reader.decrypt('w', 'c', envelope)).to.equal('secret');
    expect(provider.unwraps).to.equal(1);
    now = 60_000;
    await reader.decrypt('w', 'c', envelope);
    expect(provider.unwraps).to.equal(2);
  });

  it('shows no key material when inspected', () => {
    const cache = new DataKeyCache();
    cache.set('w', 1, createSecretKey(Buffer.from('a'.repeat(32))));
    expect(JSON.stringify(cache.get('w', 1))).to.not.include('aaaa');
    expect(String(cache.get('w', 1))).to.not.include('aaaa');
  });
});
