import { expect } from 'chai';
import { cidrContains, parseCidr } from '../../../../dataplane/src/platform/ssrf/cidr.js';
import { embeddedIpv4, parseIp } from '../../../../dataplane/src/platform/ssrf/ip-address.js';

const hex = (text: string): string => Buffer.from(parseIp(text)?.bytes ?? []).toString('hex');
const dotted = (ip: ReturnType<typeof parseIp>): string | undefined => ip && [...ip.bytes].join('.');

describe('ssrf: IP parsing', () => {
  it('parses IPv4 and the IPv6 forms to their bytes', () => {
    expect(hex('127.0.0.1')).to.equal('7f000001');
    expect(hex('::')).to.equal('0'.repeat(32));
    expect(hex('::1')).to.equal('0'.repeat(31) + '1');
    expect(hex('[::1]')).to.equal('0'.repeat(31) + '1');
    expect(hex('fe80::1%eth0')).to.equal('fe80' + '0'.repeat(27) + '1');
    expect(hex('::ffff:127.0.0.1')).to.equal('00000000000000000000ffff7f000001');
    expect(hex('::ffff:7f00:1')).to.equal('00000000000000000000ffff7f000001');
    expect(hex('2001:db8::8:800:200c:417a')).to.equal('20010db80000000000080800200c417a');
  });

  it('refuses what is not an IP literal', () => {
    for (const text of ['localhost', '127.1', '2130706433', '0x7f.0.0.1', '1.2.3.4.5', '::g', '']) {
      expect(parseIp(text), text).to.equal(undefined);
    }
  });

  const embedded: [string, string | undefined][] = [
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['::ffff:7f00:1', '127.0.0.1'],
    ['::127.0.0.1', '127.0.0.1'],
    ['::ffff:0:a9fe:a9fe', '169.254.169.254'],
    ['64:ff9b::a9fe:a9fe', '169.254.169.254'],
    ['64:ff9b::127.0.0.1', '127.0.0.1'],
    ['64:ff9b:1::a00:1', '10.0.0.1'],
    ['2002:7f00:1::', '127.0.0.1'],
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', '127.0.0.1'],
    ['2001:db8::1', undefined],
    ['fe80::1', undefined],
    ['10.0.0.1', undefined],
  ];
  for (const [address, inner] of embedded) {
    it(`${address} carries ${inner ?? 'no IPv4 address'}`, () => {
      const ip = parseIp(address);
      expect(ip).to.not.equal(undefined);
      expect(dotted(ip && embeddedIpv4(ip))).to.equal(inner);
    });
  }
});

describe('ssrf: CIDRs', () => {
  const cases: [string, string, boolean][] = [
    ['10.0.0.0/8', '10.255.1.2', true],
    ['10.0.0.0/8', '11.0.0.1', false],
    ['172.16.0.0/12', '172.31.255.255', true],
    ['172.16.0.0/12', '172.32.0.0', false],
    ['192.168.1.7', '192.168.1.7', true],
    ['192.168.1.7', '192.168.1.8', false],
    ['fc00::/7', 'fd12:3456::1', true],
    ['fc00::/7', 'fe00::1', false],
    ['fe80::/10', 'febf::1', true],
    ['fe80::/10', 'fec0::1', false],
    ['0.0.0.0/0', '8.8.8.8', true],
    ['10.0.0.0/8', '::ffff:10.0.0.1', false],
  ];
  for (const [cidr, address, inside] of cases) {
    it(`${address} is ${inside ? '' : 'not '}in ${cidr}`, () => {
      const net = parseCidr(cidr);
      const ip = parseIp(address);
      expect(net && ip && cidrContains(net, ip)).to.equal(inside);
    });
  }

  it('refuses malformed CIDRs', () => {
    for (const text of [
      '10.0.0.0/33',
      '::/129',
      '10.0.0.0/',
      '10.0.0.0/-1',
      'example.com/8',
      '10.0.0.0/8/8',
      '',
    ]) {
      expect(parseCidr(text), text).to.equal(undefined);
    }
  });
});
