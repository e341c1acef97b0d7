/**
 * Who may manage the overrides of the authority finder, and for which areas. Staff with the role
 * `ministry` may for any area (state-wide). A tenant administrator of a district office may for the
 * district, its Verwaltungsgemeinschaften and its municipalities; one of a municipality for that
 * municipality only. Everyone else logged in sees "not found"; anonymous visitors are sent to the
 * login. The use cases check every area (and authority) against this reach again, so a forged form
 * cannot reach beyond it.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/http/errors.ts';
import { activeMemberships, requireStaff, type StaffAccount } from '../staff/index.ts';
import { findTenantsByIds } from '../tenants/index.ts';
import type { Area, AreaScope } from './responsibility-admin.repository.ts';

/** A staff member who may manage overrides, with what grants each part of their reach. */
export interface ResponsibilityAdmin {
  account: StaffAccount;
  /** The tenant of the membership with the role `ministry` (state-wide reach), or null. */
  stateWideTenantId: string | null;
  /** Districts administered, each with the district office tenant that grants it. */
  districts: { key: string; tenantId: string; tenantName: string }[];
  /** Municipalities administered, each with the municipality's tenant. */
  municipalities: { ags: string; tenantId: string; tenantName: string }[];
}

/** Who writes in which request: for the audit log. */
export interface Actor {
  staffId: string;
  requestId: string;
}

/** The reach of a staff member's memberships in their active tenant, or null when none lets them manage overrides. */
export async function findResponsibilityAdmin(db: Db, req: FastifyRequest, account: StaffAccount): Promise<ResponsibilityAdmin | null> {
  const memberships = activeMemberships(req);
  const ministry = memberships.find((m) => m.role === 'ministry');
  const adminTenantIds = memberships.filter((m) => m.role === 'tenant_admin').map((m) => m.tenant_id);
  const tenants = adminTenantIds.length ? await findTenantsByIds(db, adminTenantIds) : [];
  const admin: ResponsibilityAdmin = {
    account,
    stateWideTenantId: ministry?.tenant_id ?? null,
    districts: tenants.filter((t) => t.kind === 'district_office' && t.district_key)
      .map((t) => ({ key: t.district_key!, tenantId: t.id, tenantName: t.name })),
    municipalities: tenants.filter((t) => t.kind === 'municipality' && t.municipality_ags)
      .map((t) => ({ ags: t.municipality_ags!, tenantId: t.id, tenantName: t.name })),
  };
  return admin.stateWideTenantId || admin.districts.length || admin.municipalities.length ? admin : null;
}

/**
 * The logged-in staff member who may manage overrides. Returns null after redirecting an
 * anonymous visitor to the login.
 * @throws DomainError NOT_FOUND for staff without the ministry role or an administrator membership of a district office or municipality.
 */
export async function requireResponsibilityAdmin(db: Db, req: FastifyRequest, reply: FastifyReply): Promise<ResponsibilityAdmin | null> {
  const account = requireStaff(req, reply);
  if (!account) return null;
  const admin = await findResponsibilityAdmin(db, req, account);
  if (!admin) throw new DomainError('NOT_FOUND');
  return admin;
}

/** The admin's reach as the repository filters by it. */
export function scopeOf(admin: ResponsibilityAdmin): AreaScope {
  return {
    stateWide: admin.stateWideTenantId !== null,
    districtKeys: admin.districts.map((d) => d.key),
    municipalityAgs: admin.municipalities.map((m) => m.ags),
  };
}

/**
 * The tenant whose membership lets the admin manage `area`, or null when it is out of their reach.
 * A Regierungsbezirk is in the ministry's reach only; an area of a district in that district
 * office's reach; a municipality also in its own administration's.
 */
export function grantFor(admin: ResponsibilityAdmin, area: Area): string | null {
  if (admin.stateWideTenantId) return admin.stateWideTenantId;
  if (area.kind === 'municipality') {
    const own = admin.municipalities.find((m) => m.ags === area.code);
    if (own) return own.tenantId;
  }
  if (area.kind === 'region' || area.districtKeys.length === 0) return null;
  const grants = area.districtKeys.map((key) => admin.districts.find((d) => d.key === key));
  return grants.every((g) => g !== undefined) ? grants[0]!.tenantId : null;
}

/** The area an authority key names (`municipality:09463000` -> a municipality), or `state` for a state authority; undefined when malformed. */
export function areaOfAuthorityKey(key: string): { kind: Exclude<Area['kind'], 'region'>; code: string } | 'state' | undefined {
  const match = /^(municipality|association|district|state):([0-9a-z-]+)$/.exec(key);
  if (!match) return undefined;
  const [, kind, code] = match as unknown as [string, 'municipality' | 'association' | 'district' | 'state', string];
  return kind === 'state' ? 'state' : { kind, code };
}
