import { expect } from 'chai';
import { CredentialCipher } from '../../../../dataplane/src/platform/crypto/credential-cipher.js';
import { MemoryDataKeyStore } from '../../../../dataplane/src/platform/crypto/data-key-store.js';
import { parseEnvelope } from '../../../../dataplane/src/platform/crypto/envelope.js';
import {
  LocalKmsProvider,
  localKeyVersion,
} from '../../../../dataplane/src/platform/crypto/local-kms.provider.js';
import { CredentialDecryptionError, KmsError } from '../../../../dataplane/src/platform/errors.js';

const MASTER = Buffer.alloc(32, 9).toString('base64');
const WS = '0190a6c4-8d5e-7000-8000-000000000001';
const OTHER_WS = '0190a6c4-8d5e-7000-8000-000000000002';
const CONN = '0190a6c4-8d5e-7000-8000-00000000000a';
const OTHER_CONN = '0190a6c4-8d5e-7000-8000-00000000000b';
const SECRET = 'p@ss w0rd – ünïcode 🔑';

function setup(masterKey = MASTER) {
  const store = new MemoryDataKeyStore();
  const cipher = new CredentialCipher({ provider: new LocalKmsProvider({ masterKey }), store });
  return { store, cipher };
}

async function undecryptable(promise: Promise<unknown>): Promise<CredentialDecryptionError> {
  const outcome = await promise.catch((e: unknown) => e);
  expect(outcome).to.be.instanceOf(CredentialDecryptionError);
  return outcome as CredentialDecryptionError;
}

/** Flips one bit in the given part (2 = iv, 3 = ciphertext, 4 = tag) of an envelope. */
function flip(envelope: string, part: number): string {
  const parts = envelope.split('.');
  const bytes = Buffer.from(parts[part] ?? '', 'base64');
  bytes[0] = (bytes[0] ?? 0) ^ 1;
  parts[part] = bytes.toString('base64');
  return parts.join('.');
}

describe('CredentialCipher', () => {
  it('round-trips a credential and stores one wrapped data key per workspace', async () => {
    const { cipher, store } = setup();
    const envelope = await cipher.encrypt(WS, CONN, SECRET);
    expect(await cipher.decrypt(WS, CONN, envelope)).to.equal(SECRET);
    const record = await store.load(WS);
    expect(record?.revision).to.equal(1);
    expect(record?.keys).to.have.length(1);
    expect(record?.keys[0]).to.include({
      version: 1,
      provider: 'local',
      kmsKeyVersion: localKeyVersion(MASTER),
    });
  });

  it('writes v1.<keyVersion>.<iv>.<ciphertext>.<tag> with a 96-bit IV and a 128-bit tag', async () => {
    const { cipher } = setup();
    const envelope = await cipher.encrypt(WS, CONN, SECRET);
    expect(envelope).to.match(/^v1\.1\.[^.]+\.[^.]+\.[^.]+$/);
    const parsed = parseEnvelope(envelope);
    expect(parsed?.iv).to.have.length(12);
    expect(parsed?.tag).to.have.length(16);
    expect(envelope).to.not.include(Buffer.from(SECRET).toString('base64'));
  });

  it('uses a fresh random IV every time', async () => {
    const { cipher } = setup();
    const a = await cipher.encrypt(WS, CONN, SECRET);
    const b = await cipher.encrypt(WS, CONN, SECRET);
    expect(a).to.not.equal(b);
    expect(parseEnvelope(a)?.iv).to.not.deep.equal(parseEnvelope(b)?.iv);
  });

  describe('binds a ciphertext to its row', () => {
    it('fails for another connection of the same workspace', async () => {
      const { cipher } = setup();
      await undecryptable(cipher.decrypt(WS, OTHER_CONN, await cipher.encrypt(WS, CONN, SECRET)));
    });

    it('fails for the same connection id in another workspace', async () => {
      const { cipher } = setup();
      await cipher.encrypt(OTHER_WS, CONN, 'other');
      await undecryptable(cipher.decrypt(OTHER_WS, CONN, await cipher.encrypt(WS, CONN, SECRET)));
    });

    it('refuses workspace ids with ":", which would make <workspace>:<connection> ambiguous', async () => {
      const { cipher } = setup();
      const envelope = await cipher.encrypt('a', 'b:c', SECRET);
      await undecryptable(cipher.decrypt('a', 'b:c-x', envelope));
      expect(await cipher.encrypt('a:b', 'c', SECRET).catch((e: unknown) => e)).to.be.instanceOf(TypeError);
      expect(await cipher.currentVersion('a:b'), 'refused before any key was made').to.equal(undefined);
    });
  });

  describe('detects tampering', () => {
    const cases: [string, (e: string) => string][] = [
      ['a flipped IV bit', (e) => flip(e, 2)],
      ['a flipped ciphertext bit', (e) => flip(e, 3)],
      ['a flipped tag bit', (e) => flip(e, 4)],
      [
        'a truncated ciphertext',
        (e) =>
          e
            .split('.')
            .map((p, i) => (i === 3 ? Buffer.from(p, 'base64').subarray(1).toString('base64') : p))
            .join('.'),
      ],
      ['another key version', (e) => e.replace(/^v1\.1\./, 'v1.2.')],
      ['another format', (e) => e.replace(/^v1\./, 'v9.')],
      ['garbage', () => 'not-an-envelope'],
    ];
    for (const [what, tamper] of cases) {
      it(`refuses ${what}`, async () => {
        const { cipher } = setup();
        const envelope = await cipher.encrypt(WS, CONN, SECRET);
        await undecryptable(cipher.decrypt(WS, CONN, tamper(envelope)));
      });
    }
  });

  describe('rotation', () => {
    it('starts a new data key; old envelopes still decrypt; reEncrypt moves them to it', async () => {
      const { cipher, store } = setup();
      const old = await cipher.encrypt(WS, CONN, SECRET);
      const result = await cipher.rotate(WS);
      expect(result).to.deep.equal({
        workspaceId: WS,
        previousVersion: 1,
        version: 2,
        provider: 'local',
        kmsKeyVersion: localKeyVersion(MASTER),
        rewrapped: 1,
      });
      expect(await cipher.decrypt(WS, CONN, old)).to.equal(SECRET);
      const fresh = await cipher.encrypt(WS, CONN, SECRET);
      expect(parseEnvelope(fresh)?.keyVersion).to.equal(2);
      const moved = await cipher.reEncrypt(WS, CONN, old);
      expect(parseEnvelope(moved)?.keyVersion).to.equal(2);
      expect(await cipher.decrypt(WS, CONN, moved)).to.equal(SECRET);
      expect(await cipher.reEncrypt(WS, CONN, moved), 'already current').to.equal(moved);
      expect((await store.load(WS))?.revision).to.equal(2);
    });

    it('rotating a workspace with no key yet creates its first', async () => {
      const { cipher } = setup();
      expect(await cipher.rotate(WS)).to.include({ previousVersion: undefined, version: 1, rewrapped: 0 });
      expect(await cipher.currentVersion(WS)).to.equal(1);
    });

    it('moves every data key off a retired master key, after which it can be dropped', async () => {
      const NEW = Buffer.alloc(32, 10).toString('base64');
      const store = new MemoryDataKeyStore();
      const before = new CredentialCipher({ provider: new LocalKmsProvider({ masterKey: MASTER }), store });
      const envelope = await before.encrypt(WS, CONN, SECRET);
      const during = new CredentialCipher({
        provider: new LocalKmsProvider({ masterKey: NEW, retiredKeys: [MASTER] }),
        store,
      });
      expect(await during.decrypt(WS, CONN, envelope)).to.equal(SECRET);
      const result = await during.rotate(WS);
      expect(result.kmsKeyVersion).to.equal(localKeyVersion(NEW));
      expect((await store.load(WS))?.keys.map((k) => k.kmsKeyVersion)).to.deep.equal([
        localKeyVersion(NEW),
        localKeyVersion(NEW),
      ]);
      const after = new CredentialCipher({ provider: new LocalKmsProvider({ masterKey: NEW }), store });
      expect(await after.decrypt(WS, CONN, envelope)).to.equal(SECRET);
    });

    it('does not let two processes creating the first key overwrite each other', async () => {
      const store = new MemoryDataKeyStore();
      const provider = new LocalKmsProvider({ masterKey: MASTER });
      const a = new CredentialCipher({ provider, store });
      const b = new CredentialCipher({ provider, store });
      const [fromA, fromB] = await Promise.all([a.encrypt(WS, CONN, 'a'), b.encrypt(WS, CONN, 'b')]);
      expect((await store.load(WS))?.keys).to.have.length(1);
      expect(await b.decrypt(WS, CONN, fromA)).to.equal('a');
      expect(await a.decrypt(WS, CONN, fromB)).to.equal('b');
    });
  });

  it('refuses data keys wrapped by another provider than the configured one', async () => {
    const { cipher, store } = setup();
    await cipher.encrypt(WS, CONN, SECRET);
    const record = await store.load(WS);
    await store.save(WS, {
      revision: 2,
      keys: (record?.keys ?? []).map((k) => ({ ...k, provider: 'vault' })),
    });
    cipher.forget();
    const outcome = await cipher.encrypt(WS, CONN, SECRET).catch((e: unknown) => e);
    expect(outcome).to.be.instanceOf(KmsError).and.to.have.property('code', 'kms_misconfigured');
  });

  it('never puts the credential, a key or the envelope in an error', async () => {
    const { cipher, store } = setup();
    const envelope = await cipher.encrypt(WS, CONN, SECRET);
    const wrapped = (await store.load(WS))?.keys[0]?.wrapped ?? '';
    const errors = [
      await undecryptable(cipher.decrypt(WS, OTHER_CONN, envelope)),
      await undecryptable(cipher.decrypt(WS, CONN, flip(envelope, 4))),
      await undecryptable(cipher.decrypt(WS, CONN, SECRET)),
    ];
    for (const error of errors) {
      const shown = `${error.message} ${error.stack ?? ''} ${JSON.stringify(error)}`;
      for (const secret of [SECRET, envelope, wrapped, MASTER, ...envelope.split('.').slice(2)]) {
        expect(shown).to.not.include(secret);
      }
      expect(error.message).to.match(/^The stored credential of connection [\w-]+ cannot be decrypted$/);
    }
  });
});
