/**
 * Network allowlists (CIDR, IPv4 and IPv6) for a tenant's staff pages, matched with Node's
 * `net.BlockList`, which also matches IPv4-mapped IPv6 addresses (`::ffff:192.0.2.1`) against IPv4 rules.
 */
import { BlockList, isIP } from 'node:net';

/** A parsed network: `192.0.2.0/24`, `2001:db8::/32`; a bare address is a single host. */
export interface Network {
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

/** Parses one CIDR line, or returns null when it is not one. */
export function parseCidr(input: string): Network | null {
  const [address = '', prefixText, extra] = input.trim().toLowerCase().split('/');
  if (extra !== undefined) return null;
  const version = isIP(address);
  if (version === 0) return null;
  const max = version === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (prefix > max) return null;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** The canonical text of a network, as stored. */
export function formatCidr(network: Network): string {
  return `${network.address}/${network.prefix}`;
}

/** True when `ip` lies in one of `cidrs`; an empty list allows every address. */
export function isAddressAllowed(ip: string, cidrs: readonly string[]): boolean {
  if (cidrs.length === 0) return true;
  const list = new BlockList();
  for (const cidr of cidrs) {
    const network = parseCidr(cidr);
    if (network) list.addSubnet(network.address, network.prefix, network.family);
  }
  const version = isIP(ip);
  if (version === 0) return false;
  return list.check(ip, version === 4 ? 'ipv4' : 'ipv6');
}
