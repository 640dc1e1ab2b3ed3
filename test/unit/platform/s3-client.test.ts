import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { expect } from 'chai';
import { signAwsRequest } from '../../../dataplane/src/platform/crypto/aws-sigv4.js';
import { NotFoundError, ServiceUnavailableError } from '../../../dataplane/src/platform/errors.js';
import { S3Client, type FetchLike } from '../../../dataplane/src/platform/s3-client.js';

/** The credentials and date of the S3 examples in AWS's Signature Version 4 documentation. */
const EXAMPLE = {
  region: 'us-east-1',
  service: 's3',
  credentials: {
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  },
  now: new Date('2013-05-24T00:00:00Z'),
};
const signature = (headers: Record<string, string>): string =>
  /Signature=([0-9a-f]{64})$/.exec(headers.authorization ?? '')?.[1] ?? '';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('S3 requests', () => {
  describe('SigV4 with a declared payload hash (AWS S3 examples)', () => {
    it('GET Object: matches the published signature', () => {
      const payloadHash = sha256('');
      const headers = signAwsRequest({
        ...EXAMPLE,
        method: 'GET',
        url: new URL('https://examplebucket.s3.amazonaws.com/test.txt'),
        headers: { range: 'bytes=0-9', 'x-amz-content-sha256': payloadHash },
        body: '',
        payloadHash,
      });
      expect(headers.authorization).to.include('SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,');
      expect(signature(headers)).to.equal('f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41');
    });

    it('PUT Object: signs the hash of a body it never sees', () => {
      const payloadHash = sha256('Welcome to Amazon S3.');
      const headers = signAwsRequest({
        ...EXAMPLE,
        method: 'PUT',
        url: new URL('https://examplebucket.s3.amazonaws.com/test$file.text'),
        headers: {
          date: 'Fri, 24 May 2013 00:00:00 GMT',
          'x-amz-storage-class': 'REDUCED_REDUNDANCY',
          'x-amz-content-sha256': payloadHash,
        },
        body: '',
        payloadHash,
      });
      expect(signature(headers)).to.equal('98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd');
    });
  });

  describe('S3Client', () => {
    const calls: { url: string; init: RequestInit }[] = [];
    const answering =
      (status: number, body = ''): FetchLike =>
      async (url, init) => {
        calls.push({ url, init });
        return new Response(status === 204 ? null : body, { status });
      };
    const client = (fetch: FetchLike) =>
      new S3Client({
        endpoint: 'http://minio.local:9000/',
        bucket: 'files',
        region: 'eu-west-1',
        accessKeyId: 'AKID',
        secretAccessKey: 'secret',
        fetch,
      });
    beforeEach(() => (calls.length = 0));

    it('PUTs path-style with the length, the type and the signed content hash', async () => {
      await client(answering(200)).putObject('ws-1/file-1', Readable.from([Buffer.from('abc')]), {
        size: 3,
        sha256: sha256('abc'),
        contentType: 'text/plain',
      });
      const [call] = calls;
      expect(call?.url).to.equal('http://minio.local:9000/files/ws-1/file-1');
      const headers = call?.init.headers as Record<string, string>;
      expect(headers).to.include({
        'content-length': '3',
        'content-type': 'text/plain',
        'x-amz-content-sha256': sha256('abc'),
      });
      expect(headers.authorization).to.match(/Credential=AKID\/\d{8}\/eu-west-1\/s3\/aws4_request, /);
      expect(headers.authorization).to.include('x-amz-content-sha256');
    });

    it('copies server-side: a PUT naming the signed, encoded x-amz-copy-source, and no body', async () => {
      const done = '<CopyObjectResult><ETag>"x"</ETag></CopyObjectResult>';
      await client(answering(200, done)).copyObject('ws-1/a file', 'ws-1/copy');
      const [call] = calls;
      expect(call?.url).to.equal('http://minio.local:9000/files/ws-1/copy');
      expect(call?.init).to.include({ method: 'PUT' });
      expect(call?.init.body).to.equal(undefined);
      const headers = call?.init.headers as Record<string, string>;
      expect(headers).to.include({
        'x-amz-copy-source': '/files/ws-1/a%20file',
        'content-length': '0',
        'x-amz-content-sha256': sha256(''),
      });
      expect(headers.authorization).to.match(/SignedHeaders=[a-z0-9;-]*x-amz-copy-source/);
    });

    it('counts a copy as done only when S3 says CopyObjectResult, even after a 200', async () => {
      const failed = await client(answering(200, '<Error><Code>InternalError</Code></Error>'))
        .copyObject('a', 'b')
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(failed)
        .to.be.instanceOf(ServiceUnavailableError)
        .with.property('code', 'object_store_unavailable');
      const missing = await client(answering(404, '<Error><Code>NoSuchKey</Code></Error>'))
        .copyObject('gone', 'b')
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(missing).to.have.property('code', 'object_store_rejected');
      expect((missing as Error).message).to.equal('S3 COPY failed: HTTP 404');
    });

    it('maps answers to domain errors that repeat no response body', async () => {
      const caught = async (run: () => Promise<unknown>) =>
        run().then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(await caught(() => client(answering(404, '<Error/>')).getObject('k'))).to.be.instanceOf(
        NotFoundError,
      );
      const unavailable = await caught(() => client(answering(503, 'secret detail')).getObject('k'));
      expect(unavailable)
        .to.be.instanceOf(ServiceUnavailableError)
        .with.property('code', 'object_store_unavailable');
      expect((unavailable as Error).message).to.equal('S3 GET failed: HTTP 503');
      const rejected = await caught(() => client(answering(403)).deleteObject('k'));
      expect(rejected).to.have.property('code', 'object_store_rejected');
      const unreachable = await caught(() =>
        client(() => Promise.reject(new Error('ECONNREFUSED'))).deleteObject('k'),
      );
      expect(unreachable).to.have.property('code', 'object_store_unavailable');
      expect(await caught(() => client(answering(404)).deleteObject('gone'))).to.equal(undefined);
    });
  });
});
