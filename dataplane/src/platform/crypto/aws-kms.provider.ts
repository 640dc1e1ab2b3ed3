import { signAwsRequest, type AwsCredentials } from './aws-sigv4.js';
import { field, kmsPost } from './kms-http.js';
import type { FetchLike, GeneratedDataKey, KmsContext, KmsProvider, WrappedKey } from './kms-provider.js';

export interface AwsKmsOptions {
  region: string;
  /** Key id, key ARN or `alias/<name>`: the key that wraps new data keys. */
  keyId: string;
  credentials: AwsCredentials;
  /** Default `https://kms.<region>.amazonaws.com`. */
  endpoint?: string;
  fetch?: FetchLike;
  now?: () => Date;
  timeoutMs?: number;
}

type KmsAction = 'Encrypt' | 'Decrypt' | 'GenerateDataKey';

/** `com.amazonaws.kms#NotFoundException` → `NotFoundException` */
function awsErrorKind(body: unknown): string | undefined {
  const type = (body as { __type?: unknown } | undefined)?.__type;
  return typeof type === 'string' ? (type.split('#').pop() ?? type).replace(/[^A-Za-z]/g, '') : undefined;
}

/**
 * AWS KMS over its JSON 1.1 HTTP API, signed with SigV4. The key version of a wrapped key is the
 * ARN of the KMS key that wrapped it (KMS rotates key material inside one key transparently), so
 * pointing LT_AWS_KMS_KEY_ID at another key and rotating moves data keys to it.
 */
export class AwsKmsProvider implements KmsProvider {
  readonly name = 'aws';
  readonly keyId: string;
  readonly #options: AwsKmsOptions;
  readonly #endpoint: URL;
  readonly #fetch: FetchLike;

  constructor(options: AwsKmsOptions) {
    this.keyId = options.keyId;
    this.#options = options;
    this.#endpoint = new URL(options.endpoint ?? `https://kms.${options.region}.amazonaws.com`);
    this.#fetch = options.fetch ?? ((url, init) => fetch(url, init));
  }

  async #call(action: KmsAction, payload: Record<string, unknown>): Promise<unknown> {
    const body = JSON.stringify(payload);
    const headers = signAwsRequest({
      method: 'POST',
      url: this.#endpoint,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `TrentService.${action}` },
      body,
      region: this.#options.region,
      service: 'kms',
      credentials: this.#options.credentials,
      now: this.#options.now?.() ?? new Date(),
    });
    // fetch derives Host from the URL (the same value that was signed) and refuses to be told it.
    delete headers.host;
    return kmsPost({
      fetch: this.#fetch,
      url: this.#endpoint.href,
      headers,
      body,
      what: `AWS KMS ${action}`,
      timeoutMs: this.#options.timeoutMs ?? 10_000,
      errorKind: awsErrorKind,
    });
  }

  async wrap(plaintextKey: Buffer, context: KmsContext): Promise<WrappedKey> {
    const answer = await this.#call('Encrypt', {
      KeyId: this.keyId,
      Plaintext: plaintextKey.toString('base64'),
      EncryptionContext: context,
    });
    return {
      wrapped: field(answer, ['CiphertextBlob'], 'AWS KMS Encrypt'),
      keyVersion: field(answer, ['KeyId'], 'AWS KMS Encrypt'),
    };
  }

  async unwrap(wrapped: string, keyVersion: string, context: KmsContext): Promise<Buffer> {
    const answer = await this.#call('Decrypt', {
      CiphertextBlob: wrapped,
      KeyId: keyVersion,
      EncryptionContext: context,
    });
    return Buffer.from(field(answer, ['Plaintext'], 'AWS KMS Decrypt'), 'base64');
  }

  async rewrap(wrapped: string, keyVersion: string, context: KmsContext): Promise<WrappedKey> {
    const plaintextKey = await this.unwrap(wrapped, keyVersion, context);
    try {
      return await this.wrap(plaintextKey, context);
    } finally {
      plaintextKey.fill(0);
    }
  }

  async generateDataKey(context: KmsContext): Promise<GeneratedDataKey> {
    const answer = await this.#call('GenerateDataKey', {
      KeyId: this.keyId,
      KeySpec: 'AES_256',
      EncryptionContext: context,
    });
    return {
      plaintextKey: Buffer.from(field(answer, ['Plaintext'], 'AWS KMS GenerateDataKey'), 'base64'),
      wrapped: field(answer, ['CiphertextBlob'], 'AWS KMS GenerateDataKey'),
      keyVersion: field(answer, ['KeyId'], 'AWS KMS GenerateDataKey'),
    };
  }
}
