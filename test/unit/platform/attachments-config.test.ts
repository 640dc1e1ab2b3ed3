import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../../dataplane/src/platform/config.js';

describe('loadConfig: attachments', () => {
  const S3 = {
    LT_S3_ENDPOINT: 'http://minio:9000',
    LT_S3_BUCKET: 'live-tables',
    LT_S3_ACCESS_KEY_ID: 'AKID',
    LT_S3_SECRET_ACCESS_KEY: 'super-secret-value',
  };

  it('keeps files in PostgreSQL, at most 25 MiB each, unless LT_S3_ENDPOINT is set', () => {
    expect(loadConfig({}).attachments).to.deep.equal({
      maxBytes: 25 * 1024 * 1024,
      sweepGraceMs: 24 * 3_600_000,
      s3: undefined,
    });
    expect(loadConfig({ LT_ATTACHMENT_MAX_BYTES: '1000' }).attachments.maxBytes).to.equal(1000);
  });

  it('keeps unreferenced uploads LT_ATTACHMENT_SWEEP_GRACE_HOURS (at least one) before sweeping them', () => {
    expect(loadConfig({ LT_ATTACHMENT_SWEEP_GRACE_HOURS: '2' }).attachments.sweepGraceMs).to.equal(7_200_000);
    expect(() => loadConfig({ LT_ATTACHMENT_SWEEP_GRACE_HOURS: '0' })).to.throw(
      ConfigError,
      'LT_ATTACHMENT_SWEEP_GRACE_HOURS',
    );
  });

  it('reads the S3 store, signed for us-east-1 unless told otherwise', () => {
    expect(loadConfig(S3).attachments.s3).to.deep.equal({
      endpoint: 'http://minio:9000',
      bucket: 'live-tables',
      region: 'us-east-1',
      accessKeyId: 'AKID',
      secretAccessKey: 'super-secret-value',
    });
    expect(loadConfig({ ...S3, LT_S3_REGION: 'eu-central-1' }).attachments.s3?.region).to.equal(
      'eu-central-1',
    );
  });

  it('names what an S3 store lacks and refuses malformed values', () => {
    expect(() => loadConfig({ LT_S3_ENDPOINT: 'http://minio:9000' })).to.throw(
      ConfigError,
      'LT_S3_ENDPOINT is set, so LT_S3_BUCKET, LT_S3_ACCESS_KEY_ID, LT_S3_SECRET_ACCESS_KEY must be too',
    );
    expect(() => loadConfig({ ...S3, LT_S3_BUCKET: 'Not_A_Bucket' })).to.throw(ConfigError, 'LT_S3_BUCKET');
    expect(() => loadConfig({ LT_ATTACHMENT_MAX_BYTES: '0' })).to.throw(
      ConfigError,
      'LT_ATTACHMENT_MAX_BYTES',
    );
  });
});
