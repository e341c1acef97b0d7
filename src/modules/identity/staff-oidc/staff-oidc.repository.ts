/**
 * SQL for staff login through an authority's own OpenID Connect provider: the per-tenant settings,
 * and the lookup of a staff account that is a member of that tenant (read from the staff module's
 * tables; the account must exist, there is no self-registration).
 */
import type { Db } from '../../../platform/db/database.ts';

export interface TenantStaffOidcRow {
  tenant_id: string;
  slug: string;
  name: string;
  issuer: string;
  client_id: string;
  client_secret_enc: string;
  email_claim: string;
  mfa_amr_values: string;
  enabled: boolean;
}

/** Tenants whose staff can log in through their own provider, by name. */
export async function listTenantsWithStaffOidc(db: Db): Promise<{ slug: string; name: string }[]> {
  return db.selectFrom('tenant_staff_oidc as o').innerJoin('tenants as t', 't.id', 'o.tenant_id')
    .select(['t.slug', 't.name']).where('o.enabled', '=', true).orderBy('t.name').execute();
}

export async function findTenantStaffOidc(db: Db, slug: string, { enabledOnly = true } = {}): Promise<TenantStaffOidcRow | undefined> {
  let q = db.selectFrom('tenant_staff_oidc as o').innerJoin('tenants as t', 't.id', 'o.tenant_id')
    .select(['o.tenant_id', 't.slug', 't.name', 'o.issuer', 'o.client_id', 'o.client_secret_enc', 'o.email_claim', 'o.mfa_amr_values', 'o.enabled'])
    .where('t.slug', '=', slug);
  if (enabledOnly) q = q.where('o.enabled', '=', true);
  return q.executeTakeFirst();
}

/** Creates or replaces a tenant's settings. */
export async function saveTenantStaffOidc(db: Db, tenantId: string, v: { issuer: string; clientId: string; clientSecretEnc: string; emailClaim: string; mfaAmrValues: string; enabled: boolean }): Promise<void> {
  const values = { issuer: v.issuer, client_id: v.clientId, client_secret_enc: v.clientSecretEnc, email_claim: v.emailClaim, mfa_amr_values: v.mfaAmrValues, enabled: v.enabled, updated_at: new Date() };
  await db.insertInto('tenant_staff_oidc').values({ tenant_id: tenantId, ...values })
    .onConflict((oc) => oc.column('tenant_id').doUpdateSet(values)).execute();
}

/** The staff account with this e-mail address if it is a member of the tenant. */
export async function findStaffMemberByEmail(db: Db, tenantId: string, email: string): Promise<{ id: string; locked_until: Date | null } | undefined> {
  return db.selectFrom('staff_accounts as a').innerJoin('staff_memberships as m', 'm.staff_account_id', 'a.id')
    .select(['a.id', 'a.locked_until']).distinct()
    .where('a.email', '=', email.toLowerCase()).where('m.tenant_id', '=', tenantId).executeTakeFirst();
}
