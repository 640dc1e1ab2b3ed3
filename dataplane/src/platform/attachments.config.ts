import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ConfigError } from './config-error.js';

/**
 * The environment variables of attachment storage; config.ts merges them into its table. Files
 * are kept in PostgreSQL unless LT_S3_ENDPOINT names an S3-compatible store.
 */
export const attachmentEnv = {
  LT_ATTACHMENT_MAX_BYTES: {
    schema: Type.Integer({ minimum: 1 }),
    default: String(25 * 1024 * 1024),
    doc: 'largest attachment upload in bytes; larger ones answer 413 and store nothing',
  },
  LT_ATTACHMENT_SWEEP_GRACE_HOURS: {
    schema: Type.Integer({ minimum: 1 }),
    default: '24',
    doc: 'hours an upload nothing refers to (ADR 0014) is kept before the hourly sweep deletes it',
  },
  LT_S3_ENDPOINT: {
    schema: Type.Optional(Type.String({ pattern: '^https?://' })),
    doc: 'attachments: S3-compatible endpoint (path-style URLs); unset = files are kept in PostgreSQL',
  },
  LT_S3_BUCKET: {
    // S3's bucket naming rules: 3-63 lower-case letters, digits, dots and hyphens.
    schema: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$' })),
    doc: 'LT_S3_ENDPOINT set: the bucket attachments are kept in',
  },
  LT_S3_REGION: {
    schema: Type.String({ pattern: '^[a-z0-9-]{2,32}$' }),
    default: 'us-east-1',
    doc: 'LT_S3_ENDPOINT set: the region S3 requests are signed for',
  },
  LT_S3_ACCESS_KEY_ID: {
    schema: Type.Optional(Type.String({ minLength: 1 })),
    doc: 'LT_S3_ENDPOINT set: access key id that signs S3 requests',
  },
  LT_S3_SECRET_ACCESS_KEY: {
    schema: Type.Optional(Type.String({ minLength: 1 })),
    doc: 'LT_S3_ENDPOINT set: secret access key that signs S3 requests',
  },
} satisfies Record<string, { schema: TSchema; default?: string; doc: string }>;

type AttachmentEnvName = keyof typeof attachmentEnv;
type AttachmentEnvValues = { [K in AttachmentEnvName]: Static<(typeof attachmentEnv)[K]['schema']> };

/** Their values are credentials: error messages never repeat them. */
export const ATTACHMENT_SECRETS: readonly AttachmentEnvName[] = ['LT_S3_SECRET_ACCESS_KEY'];

export interface S3Config {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface AttachmentConfig {
  maxBytes: number;
  /** How long an unreferenced upload is kept (it may be on its way into a cell). */
  sweepGraceMs: number;
  /** Set when LT_S3_ENDPOINT is: new uploads go to this bucket instead of PostgreSQL. */
  s3: S3Config | undefined;
}

/** The `attachments` member of Config; throws ConfigError naming what is missing. */
export function readAttachmentConfig(v: AttachmentEnvValues): { attachments: AttachmentConfig } {
  const kept = {
    maxBytes: v.LT_ATTACHMENT_MAX_BYTES,
    sweepGraceMs: v.LT_ATTACHMENT_SWEEP_GRACE_HOURS * 3_600_000,
  };
  if (!v.LT_S3_ENDPOINT) return { attachments: { ...kept, s3: undefined } };
  const missing = (
    [
      ['LT_S3_BUCKET', v.LT_S3_BUCKET],
      ['LT_S3_ACCESS_KEY_ID', v.LT_S3_ACCESS_KEY_ID],
      ['LT_S3_SECRET_ACCESS_KEY', v.LT_S3_SECRET_ACCESS_KEY],
    ] as const
  ).filter(([, value]) => !value);
  if (missing.length > 0)
    throw new ConfigError(
      `LT_S3_ENDPOINT is set, so ${missing.map(([name]) => name).join(', ')} must be too`,
    );
  return {
    attachments: {
      ...kept,
      s3: {
        endpoint: v.LT_S3_ENDPOINT,
        bucket: v.LT_S3_BUCKET as string,
        region: v.LT_S3_REGION,
        accessKeyId: v.LT_S3_ACCESS_KEY_ID as string,
        secretAccessKey: v.LT_S3_SECRET_ACCESS_KEY as string,
      },
    },
  };
}
