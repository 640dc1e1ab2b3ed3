import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { expect } from 'chai';
import { signAwsRequest } from '../../../dataplane/src/platform/crypto/aws-sigv4.js';
import { S3Client } from '../../../dataplane/src/platform/s3-client.js';
import type { S3Fake } from '../../fixtures/s3/s3-fake.js';
import { s3Config, S3_CREDENTIALS, startS3Fake } from '../../fixtures/s3/s3-fake-settings.js';

const EMPTY = createHash('sha256').update('').digest('hex');

describe('S3 CopyObject: the client against the in-repo S3 fake', () => {
  let s3: S3Fake;
  let client: S3Client;
  before(async () => {
    s3 = await startS3Fake();
    client = new S3Client(s3Config(s3));
  });
  after(() => s3.close());

  const put = (key: string, text: string, contentType = 'text/plain') =>
    client.putObject(key, Readable.from([Buffer.from(text)]), {
      size: Buffer.byteLength(text),
      sha256: createHash('sha256').update(text).digest('hex'),
      contentType,
    });

  it('copies bytes and content type inside the store, keys with spaces and unicode included', async () => {
    await put('ws/source é 1', 'copied bytes', 'image/png');
    await client.copyObject('ws/source é 1', 'ws/copy');
    expect(s3.objects.get('ws/copy')).to.deep.equal({
      body: Buffer.from('copied bytes'),
      contentType: 'image/png',
    });
    expect(s3.log.at(-1)).to.deep.include({
      method: 'PUT',
      key: 'ws/copy',
      status: 200,
      copySource: 'ws/source é 1',
    });
    const read = await client.getObject('ws/copy');
    const chunks: Buffer[] = [];
    for await (const chunk of read) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).to.equal('copied bytes');
  });

  it('refuses a missing source, a copy onto itself, and a copy source left out of the signature', async () => {
    const missing = await client.copyObject('ws/nothing', 'ws/x').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(missing).to.have.property('code', 'object_store_rejected');
    expect(s3.log.at(-1)).to.include({ status: 404, error: 'NoSuchKey' });

    await put('ws/self', 'me');
    const self = await client.copyObject('ws/self', 'ws/self').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(self).to.have.property('code', 'object_store_rejected');
    expect(s3.log.at(-1)).to.include({ status: 400, error: 'InvalidRequest' });

    const url = new URL(`${s3.url}/lt-attachments/ws/sneaky`);
    const headers = signAwsRequest({
      method: 'PUT',
      url,
      headers: { 'x-amz-content-sha256': EMPTY },
      body: '',
      payloadHash: EMPTY,
      region: 'eu-west-1',
      service: 's3',
      credentials: S3_CREDENTIALS,
      now: new Date(),
    });
    delete headers.host;
    const res = await fetch(url, {
      method: 'PUT',
      headers: { ...headers, 'x-amz-copy-source': '/lt-attachments/ws/self' },
    });
    expect(res.status).to.equal(403);
    expect(await res.text()).to.include('<Code>AccessDenied</Code>');
    expect(s3.objects.has('ws/sneaky')).to.equal(false);
  });
});
