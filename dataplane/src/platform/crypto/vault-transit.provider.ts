import { KmsError } from '../errors.js';
import { field, kmsPost } from './kms-http.js';
import {
  canonicalContext,
  type FetchLike,
  type GeneratedDataKey,
  type KmsContext,
  type KmsProvider,
  type WrappedKey,
} from './kms-provider.js';

export interface VaultTransitOptions {
  /** e.g. `https://vault.internal:8200` */
  address: string;
  token: string;
  /** Name of the transit key. */
  keyName: string;
  /** Mount path of the transit engine; default `transit`. */
  mount?: string;
  fetch?: FetchLike;
  timeoutMs?: number;
}

/** `vault:v3:...` → `v3` */
function versionOf(ciphertext: string): string {
  const match = /^vault:(v\d+):/.exec(ciphertext);
  if (!match?.[1])
    throw new KmsError('Vault transit answered a ciphertext without a key version', 'kms_rejected');
  return match[1];
}

/**
 * HashiCorp Vault's transit engine. The key version is Vault's (`vault:vN:` prefix); rotation
 * uses /rewrap, so the plaintext data key never leaves Vault. The context is sent as Vault's
 * derivation context: create the transit key with `derived=true` so Vault binds it (a
 * non-derived key ignores it).
 */
export class VaultTransitProvider implements KmsProvider {
  readonly name = 'vault';
  readonly keyId: string;
  readonly #options: VaultTransitOptions;
  readonly #fetch: FetchLike;

  constructor(options: VaultTransitOptions) {
    this.keyId = options.keyName;
    this.#options = options;
    this.#fetch = options.fetch ?? ((url, init) => fetch(url, init));
  }

  #post(operation: string, payload: Record<string, unknown>): Promise<unknown> {
    const base = this.#options.address.replace(/\/+$/, '');
    const mount = this.#options.mount ?? 'transit';
    return kmsPost({
      fetch: this.#fetch,
      url: `${base}/v1/${mount}/${operation}/${encodeURIComponent(this.keyId)}`,
      headers: { 'content-type': 'application/json', 'x-vault-token': this.#options.token },
      body: JSON.stringify(payload),
      what: `Vault transit ${operation.split('/')[0]}`,
      timeoutMs: this.#options.timeoutMs ?? 10_000,
    });
  }

  #context(context: KmsContext): string {
    return Buffer.from(canonicalContext(context)).toString('base64');
  }

  #wrappedFrom(answer: unknown, what: string): WrappedKey {
    const wrapped = field(answer, ['data', 'ciphertext'], what);
    return { wrapped, keyVersion: versionOf(wrapped) };
  }

  async wrap(plaintextKey: Buffer, context: KmsContext): Promise<WrappedKey> {
    const answer = await this.#post('encrypt', {
      plaintext: plaintextKey.toString('base64'),
      context: this.#context(context),
    });
    return this.#wrappedFrom(answer, 'Vault transit encrypt');
  }

  async unwrap(wrapped: string, keyVersion: string, context: KmsContext): Promise<Buffer> {
    if (versionOf(wrapped) !== keyVersion)
      throw new KmsError('A wrapped key does not carry its recorded version', 'kms_rejected');
    const answer = await this.#post('decrypt', { ciphertext: wrapped, context: this.#context(context) });
    return Buffer.from(field(answer, ['data', 'plaintext'], 'Vault transit decrypt'), 'base64');
  }

  async rewrap(wrapped: string, _keyVersion: string, context: KmsContext): Promise<WrappedKey> {
    const answer = await this.#post('rewrap', { ciphertext: wrapped, context: this.#context(context) });
    return this.#wrappedFrom(answer, 'Vault transit rewrap');
  }

  async generateDataKey(context: KmsContext): Promise<GeneratedDataKey> {
    const answer = await this.#post('datakey/plaintext', { context: this.#context(context), bits: 256 });
    return {
      ...this.#wrappedFrom(answer, 'Vault transit datakey'),
      plaintextKey: Buffer.from(field(answer, ['data', 'plaintext'], 'Vault transit datakey'), 'base64'),
    };
  }
}
