import { expect } from 'chai';
import { PRIVATE_RANGES } from '../../../../dataplane/src/platform/config.js';
import {
  refusalReason,
  type AddressRules,
  type Refusal,
} from '../../../../dataplane/src/platform/ssrf/address-rules.js';
import { parseCidr, type Cidr } from '../../../../dataplane/src/platform/ssrf/cidr.js';
import { parseIp, type IpAddress } from '../../../../dataplane/src/platform/ssrf/ip-address.js';

const cidrs = (list: string[]): Cidr[] => list.map((c) => parseCidr(c) as Cidr);
const ip = (text: string): IpAddress => parseIp(text) as IpAddress;

const tenant: AddressRules = { allow: [], deny: cidrs(PRIVATE_RANGES), platform: [ip('10.20.0.5')] };
const standalone: AddressRules = { allow: [], deny: [], platform: [] };

/** address → [verdict in tenant mode, verdict in standalone]; undefined = allowed. */
const TABLE: [string, Refusal | undefined, Refusal | undefined][] = [
  ['93.184.216.34', undefined, undefined],
  ['8.8.8.8', undefined, undefined],
  ['2606:4700::1111', undefined, undefined],
  ['127.0.0.1', 'loopback', 'loopback'],
  ['127.255.255.254', 'loopback', 'loopback'],
  ['::1', 'loopback', 'loopback'],
  ['0.0.0.0', 'unspecified', 'unspecified'],
  ['0.1.2.3', 'reserved', 'reserved'],
  ['::', 'unspecified', 'unspecified'],
  ['169.254.169.254', 'link-local', 'link-local'],
  ['169.254.0.1', 'link-local', 'link-local'],
  ['fe80::1', 'link-local', 'link-local'],
  ['febf:ffff::1', 'link-local', 'link-local'],
  ['fd00:ec2::254', 'metadata', 'metadata'],
  ['100.100.100.200', 'metadata', 'metadata'],
  ['224.0.0.1', 'multicast', 'multicast'],
  ['ff02::1', 'multicast', 'multicast'],
  ['255.255.255.255', 'reserved', 'reserved'],
  ['10.1.2.3', 'denied', undefined],
  ['172.16.0.1', 'denied', undefined],
  ['172.31.255.255', 'denied', undefined],
  ['172.32.0.1', undefined, undefined],
  ['192.168.0.10', 'denied', undefined],
  ['100.64.0.1', 'denied', undefined],
  ['fd12:3456:789a::1', 'denied', undefined],
  ['fc00::1', 'denied', undefined],
  ['10.20.0.5', 'platform', undefined],
  // IPv4-mapped, -compatible and -translated forms are judged by the IPv4 address inside.
  ['::ffff:127.0.0.1', 'loopback', 'loopback'],
  ['::ffff:7f00:1', 'loopback', 'loopback'],
  ['::ffff:7f00:0001', 'loopback', 'loopback'],
  ['::127.0.0.1', 'loopback', 'loopback'],
  ['::ffff:0.0.0.0', 'unspecified', 'unspecified'],
  ['::ffff:169.254.169.254', 'link-local', 'link-local'],
  ['::ffff:a9fe:a9fe', 'link-local', 'link-local'],
  ['::ffff:0:a9fe:a9fe', 'link-local', 'link-local'],
  ['::ffff:10.0.0.1', 'denied', undefined],
  ['::ffff:10.20.0.5', 'platform', undefined],
  ['::ffff:8.8.8.8', undefined, undefined],
  // NAT64, 6to4 and Teredo reach the embedded IPv4 address too.
  ['64:ff9b::7f00:1', 'loopback', 'loopback'],
  ['64:ff9b::169.254.169.254', 'link-local', 'link-local'],
  ['64:ff9b::808:808', undefined, undefined],
  ['2002:a9fe:a9fe::1', 'link-local', 'link-local'],
  ['2002:c0a8:0101::1', 'denied', undefined],
  ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'loopback', 'loopback'],
];

describe('ssrf: address verdicts', () => {
  for (const [address, inTenant, inStandalone] of TABLE) {
    it(`${address}: ${inTenant ?? 'allowed'} in tenant mode, ${inStandalone ?? 'allowed'} standalone`, () => {
      expect(refusalReason(ip(address), tenant), 'tenant').to.equal(inTenant);
      expect(refusalReason(ip(address), standalone), 'standalone').to.equal(inStandalone);
    });
  }

  describe('the allow list', () => {
    const allowing = (list: string[]): AddressRules => ({ ...tenant, allow: cidrs(list) });

    it('admits loopback, private and platform addresses it names', () => {
      expect(refusalReason(ip('127.0.0.1'), allowing(['127.0.0.1']))).to.equal(undefined);
      expect(refusalReason(ip('10.1.2.3'), allowing(['10.1.0.0/16']))).to.equal(undefined);
      expect(refusalReason(ip('10.20.0.5'), allowing(['10.20.0.0/24']))).to.equal(undefined);
      expect(refusalReason(ip('169.254.169.254'), allowing(['169.254.169.254/32']))).to.equal(undefined);
    });

    it('admits the IPv4-mapped form of an address it names', () => {
      expect(refusalReason(ip('::ffff:127.0.0.1'), allowing(['127.0.0.0/8']))).to.equal(undefined);
    });

    it('admits only what it names', () => {
      expect(refusalReason(ip('10.2.0.1'), allowing(['10.1.0.0/16']))).to.equal('denied');
      expect(refusalReason(ip('127.0.0.2'), allowing(['127.0.0.1']))).to.equal('loopback');
    });

    it('never admits the unspecified address, which means this machine', () => {
      expect(refusalReason(ip('0.0.0.0'), allowing(['0.0.0.0/0']))).to.equal('unspecified');
      expect(refusalReason(ip('::'), allowing(['::/0']))).to.equal('unspecified');
      expect(refusalReason(ip('0.0.0.0'), tenant, true)).to.equal('unspecified');
    });

    it('admits everything else when the host name was admitted', () => {
      expect(refusalReason(ip('127.0.0.1'), tenant, true)).to.equal(undefined);
      expect(refusalReason(ip('10.1.2.3'), tenant, true)).to.equal(undefined);
    });
  });
});
