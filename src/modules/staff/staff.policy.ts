/**
 * Who may see staff pages. An unauthenticated visitor is sent to the login; a staff member
 * without the needed role sees "not found", so that the page's existence is not confirmed.
 * Staff work for one tenant at a time (the active tenant, kept in the session and switched in the
 * header); tenant-bound pages use only the memberships of that tenant.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StaffRole } from '../../platform/db/schema.ts';
import { DomainError } from '../../platform/http/errors.ts';
import type { StaffAccount } from './staff.repository.ts';

/** A tenant the staff member belongs to, with their roles there. */
export interface StaffTenant {
  id: string;
  name: string;
  slug: string;
  roles: StaffRole[];
}

/** The logged-in staff member working for their active tenant. */
export interface StaffContext {
  account: StaffAccount;
  tenant: StaffTenant;
}

/** Returns the logged-in staff account, or redirects to the login and returns null. */
export function requireStaff(req: FastifyRequest, reply: FastifyReply): StaffAccount | null {
  if (req.staffAccount) return req.staffAccount;
  const next = req.url.split('?')[0] ?? '/verwaltung';
  const expired = req.staffSessionExpired ? '&abgelaufen=1' : '';
  void reply.redirect(`/verwaltung/anmelden?weiter=${encodeURIComponent(next)}${expired}`, 303);
  return null;
}

/**
 * The logged-in staff member and their active tenant, when they hold one of `roles` there (any role
 * when none is given). Returns null after redirecting an anonymous visitor to the login.
 * @throws DomainError NOT_FOUND without a membership (or the role) in the active tenant.
 */
export function requireStaffTenant(req: FastifyRequest, reply: FastifyReply, roles: readonly StaffRole[] = []): StaffContext | null {
  const account = requireStaff(req, reply);
  if (!account) return null;
  const tenant = req.staffTenant;
  if (!tenant || (roles.length > 0 && !tenant.roles.some((r) => roles.includes(r)))) throw new DomainError('NOT_FOUND');
  return { account, tenant };
}

/**
 * The memberships of the active tenant, in the shape of `listMemberships` (one row per role): what
 * tenant-bound policies check, so that a staff member acts for one tenant at a time.
 */
export function activeMemberships(req: FastifyRequest): { tenant_id: string; tenant_name: string; tenant_slug: string; role: StaffRole }[] {
  const tenant = req.staffTenant;
  if (!req.staffAccount || !tenant) return [];
  return tenant.roles.map((role) => ({ tenant_id: tenant.id, tenant_name: tenant.name, tenant_slug: tenant.slug, role }));
}

/** The platform operator's pages (mail outbox, feedback inbox). */
export function requirePlatformOperator(req: FastifyRequest, reply: FastifyReply): StaffAccount | null {
  const account = requireStaff(req, reply);
  if (account && !account.is_platform_operator) throw new DomainError('NOT_FOUND');
  return account;
}

/** A redirect target after login: a path on this site only. */
export function safeNextPath(next: unknown): string {
  return typeof next === 'string' && /^\/(?!\/)[\w\-./]*$/.test(next) && !next.includes('..') ? next : '/verwaltung';
}
