/**
 * An authority as a payment platform knows it: by its AGS (8 digits). A district office has its
 * district's key followed by 000; a state authority or ministry the state's (09000000, Bavaria).
 */
import type { Db, Tx } from '../../platform/db/database.ts';
import { findTenantsByIds } from '../tenants/index.ts';
import type { Merchant } from './provider.ts';

/** The tenant as merchant. @throws Error when the tenant does not exist. */
export async function merchantOf(db: Db | Tx, tenantId: string): Promise<Merchant> {
  const [tenant] = await findTenantsByIds(db as Db, [tenantId]);
  if (!tenant) throw new Error('tenant of the payment not found');
  if (tenant.municipality_ags) return { ags: tenant.municipality_ags };
  if (tenant.district_key) return { ags: `${tenant.district_key}000` };
  return { ags: '09000000' };
}
