import { createHash } from 'node:crypto';
import { expect } from 'chai';
import {
  amzDate,
  canonicalRequest,
  signAwsRequest,
  uriEncode,
} from '../../../../dataplane/src/platform/crypto/aws-sigv4.js';

/** The credentials, date and scope of AWS's published Signature Version 4 test suite. */
const SUITE = {
  region: 'us-east-1',
  service: 'service',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
  now: new Date('2015-08-30T12:36:00Z'),
};

const signature = (headers: Record<string, string>): string =>
  /Signature=([0-9a-f]{64})$/.exec(headers.authorization ?? '')?.[1] ?? '';

describe('AWS SigV4 signer', () => {
  it('get-vanilla: matches the published Authorization header', () => {
    const headers = signAwsRequest({
      ...SUITE,
      method: 'GET',
      url: new URL('https://example.amazonaws.com/'),
      headers: {},
      body: '',
    });
    expect(headers.authorization).to.equal(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, ' +
        'SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    );
    expect(headers['x-amz-date']).to.equal('20150830T123600Z');
    expect(headers.host).to.equal('example.amazonaws.com');
  });

  it('get-vanilla-query-order-key-case: sorts the query before signing', () => {
    const url = new URL('https://example.amazonaws.com/?Param2=value2&Param1=value1');
    const headers = signAwsRequest({ ...SUITE, method: 'GET', url, headers: {}, body: '' });
    expect(signature(headers)).to.equal('b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500');
  });

  it('post-vanilla: matches the published signature', () => {
    const headers = signAwsRequest({
      ...SUITE,
      method: 'POST',
      url: new URL('https://example.amazonaws.com/'),
      headers: {},
      body: '',
    });
    expect(signature(headers)).to.equal('5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b');
  });

  it('builds the canonical request of the documentation', () => {
    const url = new URL('https://example.amazonaws.com/');
    const { text, signedHeaders } = canonicalRequest(
      'get',
      url,
      { 'X-Amz-Date': '20150830T123600Z', Host: ' example.amazonaws.com ' },
      '',
    );
    expect(signedHeaders).to.equal('host;x-amz-date');
    expect(text).to.equal(
      [
        'GET',
        '/',
        '',
        'host:example.amazonaws.com',
        'x-amz-date:20150830T123600Z',
        '',
        'host;x-amz-date',
        createHash('sha256').update('').digest('hex'),
      ].join('\n'),
    );
  });

  it('signs the session token of temporary credentials', () => {
    const credentials = { ...SUITE.credentials, sessionToken: 'token/with+chars=' };
    const headers = signAwsRequest({
      ...SUITE,
      credentials,
      method: 'POST',
      url: new URL('https://kms.us-east-1.amazonaws.com/'),
      headers: {},
      body: '{}',
    });
    expect(headers['x-amz-security-token']).to.equal('token/with+chars=');
    expect(headers.authorization).to.include('SignedHeaders=host;x-amz-date;x-amz-security-token,');
  });

  it('changes the signature when the body, a signed header or the secret changes', () => {
    const base = {
      ...SUITE,
      method: 'POST',
      url: new URL('https://kms.us-east-1.amazonaws.com/'),
      headers: { 'x-amz-target': 'TrentService.Encrypt' },
      body: '{"a":1}',
    };
    const original = signature(signAwsRequest(base));
    expect(signature(signAwsRequest({ ...base, body: '{"a":2}' }))).to.not.equal(original);
    expect(
      signature(signAwsRequest({ ...base, headers: { 'x-amz-target': 'TrentService.Decrypt' } })),
    ).to.not.equal(original);
    expect(
      signature(signAwsRequest({ ...base, credentials: { ...SUITE.credentials, secretAccessKey: 'other' } })),
    ).to.not.equal(original);
  });

  it('encodes as RFC 3986 and formats dates as AWS does', () => {
    expect(uriEncode("a b/c~d*e'(f)!")).to.equal('a%20b%2Fc~d%2Ae%27%28f%29%21');
    expect(amzDate(new Date('2024-02-29T23:59:58.123Z'))).to.equal('20240229T235958Z');
  });
});
