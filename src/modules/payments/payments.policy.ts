/**
 * Who may see and refund a tenant's payments: its caseworkers and administrators (the cash office
 * works with their export). Everyone else, and every other tenant's payment, is "not found".
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../platform/db/database.ts';
import type { StaffRole } from '../../platform/db/schema.ts';
import { DomainError } from '../../platform/http/errors.ts';
import { listMemberships, requireStaff, type StaffAccount } from '../staff/index.ts';

export const PAYMENT_ROLES: readonly StaffRole[] = ['caseworker', 'tenant_admin'];

export interface PaymentStaff {
  account: StaffAccount;
  tenant: { id: string; name: string };
  tenants: { id: string; name: string }[];
}

/**
 * The logged-in staff member and the tenant whose payments are shown: `tenantId` when it is one of
 * theirs, else the first. Returns null after redirecting an anonymous visitor to the login.
 * @throws DomainError NOT_FOUND without a payment role, or for a tenant that is not theirs.
 */
export async function requirePaymentStaff(db: Db, req: FastifyRequest, reply: FastifyReply, tenantId?: string): Promise<PaymentStaff | null> {
  const account = requireStaff(req, reply);
  if (!account) return null;
  const byId = new Map<string, { id: string; name: string }>();
  for (const m of await listMemberships(db, account.id)) {
    if (PAYMENT_ROLES.includes(m.role)) byId.set(m.tenant_id, { id: m.tenant_id, name: m.tenant_name });
  }
  const tenants = [...byId.values()];
  const tenant = tenantId ? byId.get(tenantId) : tenants[0];
  if (!tenant) throw new DomainError('NOT_FOUND');
  return { account, tenant, tenants };
}
