import { createSecretKey, type KeyObject } from 'node:crypto';
import { ConflictError, CredentialDecryptionError, KmsError } from '../errors.js';
import { open, seal } from './aes-gcm.js';
import { DataKeyCache, type DataKeyCacheOptions } from './data-key-cache.js';
import type { DataKeyRecord, DataKeyStore, StoredDataKey } from './data-key-store.js';
import { formatEnvelope, parseEnvelope } from './envelope.js';
import type { KmsContext, KmsProvider } from './kms-provider.js';

export interface CredentialCipherOptions {
  provider: KmsProvider;
  store: DataKeyStore;
  cache?: DataKeyCacheOptions;
}

/** What a rotation did, for the audit log. Never carries key material. */
export interface RotationResult {
  workspaceId: string;
  /** The data key version that encrypted new credentials before; undefined if there was none. */
  previousVersion: number | undefined;
  /** The new data key version, now encrypting new credentials. */
  version: number;
  provider: string;
  /** The provider key version every data key of the workspace is now wrapped with. */
  kmsKeyVersion: string;
  /** How many older data keys were re-wrapped. */
  rewrapped: number;
}

/** Attempts of a compare-and-set save before giving up on a busy workspace. */
const SAVE_ATTEMPTS = 5;

const dataKeyContext = (workspaceId: string, version: number): KmsContext => ({
  purpose: 'live-tables/connection-credentials',
  workspace: workspaceId,
  dataKey: String(version),
});

/**
 * Encrypts connection credentials with a data key per workspace (AES-256-GCM), each data key
 * wrapped by the KMS provider and stored by the caller's DataKeyStore. The AAD binds a ciphertext
 * to its workspace and connection, so copying it to another row makes it fail to decrypt.
 * Errors name the connection at most: never the plaintext, a key or an envelope.
 */
export class CredentialCipher {
  readonly #provider: KmsProvider;
  readonly #store: DataKeyStore;
  readonly #cache: DataKeyCache;

  constructor(options: CredentialCipherOptions) {
    this.#provider = options.provider;
    this.#store = options.store;
    this.#cache = new DataKeyCache(options.cache);
  }

  async encrypt(workspaceId: string, connectionId: string, plaintext: string): Promise<string> {
    const additionalData = aad(workspaceId, connectionId);
    const current = await this.#currentKey(workspaceId);
    const key = await this.#key(workspaceId, current);
    const sealed = seal(key, Buffer.from(plaintext, 'utf8'), additionalData);
    return formatEnvelope({ keyVersion: current.version, ...sealed });
  }

  async decrypt(workspaceId: string, connectionId: string, envelope: string): Promise<string> {
    const additionalData = aad(workspaceId, connectionId);
    const undecryptable = new CredentialDecryptionError(
      `The stored credential of connection ${connectionId} cannot be decrypted`,
    );
    const parsed = parseEnvelope(envelope);
    if (!parsed) throw undecryptable;
    const key =
      this.#cache.get(workspaceId, parsed.keyVersion) ??
      (await this.#storedKey(workspaceId, parsed.keyVersion));
    if (!key) throw undecryptable;
    try {
      return open(key, parsed, additionalData).toString('utf8');
    } catch {
      throw undecryptable;
    }
  }

  /**
   * Starts a new data key for the workspace (new credentials use it; reEncrypt moves old ones
   * to it) and re-wraps every older data key under the provider's current key version, so a
   * retired provider key is no longer needed. Old envelopes keep decrypting.
   */
  async rotate(workspaceId: string): Promise<RotationResult> {
    for (let attempt = 0; attempt < SAVE_ATTEMPTS; attempt++) {
      const record = await this.#store.load(workspaceId);
      const keys = await Promise.all(
        (record?.keys ?? []).map(async (k): Promise<StoredDataKey> => {
          this.#assertProvider(k);
          const rewrapped = await this.#provider.rewrap(
            k.wrapped,
            k.kmsKeyVersion,
            dataKeyContext(workspaceId, k.version),
          );
          return { ...k, wrapped: rewrapped.wrapped, kmsKeyVersion: rewrapped.keyVersion };
        }),
      );
      const previous = keys.at(-1);
      const created = await this.#newKey(workspaceId, (previous?.version ?? 0) + 1);
      if (
        await this.#store.save(workspaceId, {
          revision: (record?.revision ?? 0) + 1,
          keys: [...keys, created.stored],
        })
      ) {
        this.#cache.set(workspaceId, created.stored.version, created.key);
        return {
          workspaceId,
          previousVersion: previous?.version,
          version: created.stored.version,
          provider: this.#provider.name,
          kmsKeyVersion: created.stored.kmsKeyVersion,
          rewrapped: keys.length,
        };
      }
    }
    throw new ConflictError(
      `The data keys of workspace ${workspaceId} are being changed concurrently; retry`,
    );
  }

  /** The envelope under the workspace's newest data key (unchanged if already under it). */
  async reEncrypt(workspaceId: string, connectionId: string, envelope: string): Promise<string> {
    const current = await this.#currentKey(workspaceId);
    if (parseEnvelope(envelope)?.keyVersion === current.version) return envelope;
    return this.encrypt(workspaceId, connectionId, await this.decrypt(workspaceId, connectionId, envelope));
  }

  /** The newest data key version of a workspace, or undefined before its first credential. */
  async currentVersion(workspaceId: string): Promise<number | undefined> {
    return (await this.#store.load(workspaceId))?.keys.at(-1)?.version;
  }

  /** Drops cached unwrapped keys (one workspace's, or all). */
  forget(workspaceId?: string): void {
    this.#cache.forget(workspaceId);
  }

  /** The workspace's newest data key, created (compare-and-set) on first use. */
  async #currentKey(workspaceId: string): Promise<StoredDataKey> {
    for (let attempt = 0; attempt < SAVE_ATTEMPTS; attempt++) {
      const current = (await this.#store.load(workspaceId))?.keys.at(-1);
      if (current) return current;
      const created = await this.#newKey(workspaceId, 1);
      const record: DataKeyRecord = { revision: 1, keys: [created.stored] };
      if (await this.#store.save(workspaceId, record)) {
        this.#cache.set(workspaceId, 1, created.key);
        return created.stored;
      }
    }
    throw new ConflictError(
      `The data keys of workspace ${workspaceId} are being changed concurrently; retry`,
    );
  }

  async #newKey(workspaceId: string, version: number): Promise<{ stored: StoredDataKey; key: KeyObject }> {
    const generated = await this.#provider.generateDataKey(dataKeyContext(workspaceId, version));
    const key = this.#toKey(generated.plaintextKey);
    const stored: StoredDataKey = {
      version,
      wrapped: generated.wrapped,
      kmsKeyVersion: generated.keyVersion,
      provider: this.#provider.name,
      createdAt: new Date().toISOString(),
    };
    return { stored, key };
  }

  /** The unwrapped data key `version` of the workspace, or undefined when there is no such key. */
  async #storedKey(workspaceId: string, version: number): Promise<KeyObject | undefined> {
    const stored = (await this.#store.load(workspaceId))?.keys.find((k) => k.version === version);
    return stored ? this.#key(workspaceId, stored) : undefined;
  }

  /** The unwrapped key of a stored data key, from the cache or the provider. */
  async #key(workspaceId: string, stored: StoredDataKey): Promise<KeyObject> {
    const cached = this.#cache.get(workspaceId, stored.version);
    if (cached) return cached;
    this.#assertProvider(stored);
    const context = dataKeyContext(workspaceId, stored.version);
    const key = this.#toKey(await this.#provider.unwrap(stored.wrapped, stored.kmsKeyVersion, context));
    this.#cache.set(workspaceId, stored.version, key);
    return key;
  }

  /** A KeyObject holding a copy of `bytes` (createSecretKey copies), which are then zeroed. */
  #toKey(bytes: Buffer): KeyObject {
    try {
      if (bytes.length !== 32)
        throw new KmsError(`The ${this.#provider.name} KMS returned a malformed data key`, 'kms_rejected');
      return createSecretKey(bytes);
    } finally {
      bytes.fill(0);
    }
  }

  #assertProvider(stored: StoredDataKey): void {
    if (stored.provider !== this.#provider.name) {
      throw new KmsError(
        `Data key ${stored.version} was wrapped by the ${stored.provider} KMS provider, not the configured ${this.#provider.name}`,
        'kms_misconfigured',
      );
    }
  }
}

/** Workspace ids never contain `:`, so `<workspace>:<connection>` names exactly one pair. */
function aad(workspaceId: string, connectionId: string): Buffer {
  if (workspaceId.includes(':')) throw new TypeError('A workspace id must not contain ":"');
  return Buffer.from(`${workspaceId}:${connectionId}`, 'utf8');
}
