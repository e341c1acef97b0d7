/**
 * A tenant administrator sets the networks the tenant's staff pages may be used from. Each line
 * must be a CIDR network (IPv4 or IPv6); a list that would not contain the administrator's own
 * address is refused, so that nobody locks themselves out. Audited with the count only.
 */
import type { Db } from '../../platform/db/database.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import { formatCidr, isAddressAllowed, parseCidr } from './networks.ts';
import { replaceTenantNetworks } from './staff.repository.ts';
import type { AdminActor } from './manage-members.ts';

export const MAX_NETWORKS = 100;

export type SetNetworksResult =
  | { ok: true; cidrs: string[] }
  | { ok: false; code: 'INVALID'; line: number; value: string }
  | { ok: false; code: 'TOO_MANY' }
  | { ok: false; code: 'LOCKOUT' };

/** Parses the text (one network per line, blank lines ignored), checks it and stores it. */
export async function setTenantNetworks(db: Db, actor: AdminActor, text: string, actorIp: string): Promise<SetNetworksResult> {
  const cidrs: string[] = [];
  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const value = raw.trim();
    if (!value) continue;
    const network = parseCidr(value);
    if (!network) return { ok: false, code: 'INVALID', line: index + 1, value: value.slice(0, 60) };
    const canonical = formatCidr(network);
    if (!cidrs.includes(canonical)) cidrs.push(canonical);
  }
  if (cidrs.length > MAX_NETWORKS) return { ok: false, code: 'TOO_MANY' };
  if (!isAddressAllowed(actorIp, cidrs)) return { ok: false, code: 'LOCKOUT' };
  await db.transaction().execute(async (tx) => {
    await replaceTenantNetworks(tx, actor.tenantId, cidrs);
    await recordAudit(tx, { tenantId: actor.tenantId, actorType: 'staff', actorId: actor.staffId, action: 'staff.networks_changed', details: { networks: cidrs.length }, requestId: actor.requestId });
  });
  return { ok: true, cidrs };
}
