import { createHash, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { KmsError } from '../errors.js';
import { open, packSealed, seal, unpackSealed } from './aes-gcm.js';
import {
  canonicalContext,
  type GeneratedDataKey,
  type KmsContext,
  type KmsProvider,
  type WrappedKey,
} from './kms-provider.js';

export interface LocalKmsOptions {
  /** The current master key: 32 bytes, or their base64. */
  masterKey: Buffer | string;
  /** Earlier master keys, still able to unwrap what they wrapped. */
  retiredKeys?: readonly (Buffer | string)[];
}

function keyBytes(key: Buffer | string): Buffer {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'base64') : key;
  if (bytes.length !== 32) throw new KmsError('A local master key must be 32 bytes', 'kms_misconfigured');
  return bytes;
}

/**
 * The version of a master key is derived from the key itself (a SHA-256 fingerprint, 64 bits),
 * so no separate version number can be mislabelled: rotating is setting LT_MASTER_KEY to a new
 * key and moving the old one to LT_MASTER_KEYS_RETIRED.
 */
export function localKeyVersion(key: Buffer | string): string {
  const digest = createHash('sha256')
    .update('live-tables/local-kms/key-version\0')
    .update(keyBytes(key))
    .digest('hex');
  return `k${digest.slice(0, 16)}`;
}

/** Wraps data keys with AES-256-GCM under a master key from configuration; AAD = the context. */
export class LocalKmsProvider implements KmsProvider {
  readonly name = 'local';
  readonly keyId = 'local';
  /** The key version new wraps use. */
  readonly currentVersion: string;
  readonly #keys = new Map<string, KeyObject>();

  constructor(options: LocalKmsOptions) {
    this.currentVersion = localKeyVersion(options.masterKey);
    for (const key of [options.masterKey, ...(options.retiredKeys ?? [])]) {
      const version = localKeyVersion(key);
      if (!this.#keys.has(version)) this.#keys.set(version, createSecretKey(keyBytes(key)));
    }
  }

  async wrap(plaintextKey: Buffer, context: KmsContext): Promise<WrappedKey> {
    const key = this.#keys.get(this.currentVersion) as KeyObject;
    const sealed = seal(key, plaintextKey, Buffer.from(canonicalContext(context)));
    return { wrapped: packSealed(sealed), keyVersion: this.currentVersion };
  }

  async unwrap(wrapped: string, keyVersion: string, context: KmsContext): Promise<Buffer> {
    const key = this.#keys.get(keyVersion);
    if (!key) throw new KmsError(`Local master key ${keyVersion} is not configured`, 'kms_key_unknown');
    try {
      return open(key, unpackSealed(wrapped), Buffer.from(canonicalContext(context)));
    } catch {
      throw new KmsError('The local KMS could not unwrap a data key', 'kms_rejected');
    }
  }

  async rewrap(wrapped: string, keyVersion: string, context: KmsContext): Promise<WrappedKey> {
    if (keyVersion === this.currentVersion) return { wrapped, keyVersion };
    const plaintextKey = await this.unwrap(wrapped, keyVersion, context);
    try {
      return await this.wrap(plaintextKey, context);
    } finally {
      plaintextKey.fill(0);
    }
  }

  async generateDataKey(context: KmsContext): Promise<GeneratedDataKey> {
    const plaintextKey = randomBytes(32);
    return { ...(await this.wrap(plaintextKey, context)), plaintextKey };
  }
}
