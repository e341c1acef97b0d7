/**
 * Who may import FIM schemas: staff with an editor or tenant administrator membership in any
 * tenant (the roles that maintain a tenant's forms). An anonymous visitor is sent to the login;
 * other staff see "not found", so that the page's existence is not confirmed.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../platform/db/database.ts';
import type { StaffRole } from '../../platform/db/schema.ts';
import { DomainError } from '../../platform/http/errors.ts';
import { listMemberships, requireStaff, type StaffAccount } from '../staff/index.ts';

/** Roles that may import forms. */
export const FORM_IMPORT_ROLES: readonly StaffRole[] = ['editor', 'tenant_admin'];

export interface FormImporter {
  account: StaffAccount;
  /** The tenants the staff member maintains forms for. */
  tenants: { id: string; name: string }[];
}

/**
 * The logged-in staff member who may import forms. Returns null after redirecting an anonymous
 * visitor to the login.
 * @throws DomainError NOT_FOUND for staff without an editor or tenant administrator membership.
 */
export async function requireFormImporter(db: Db, req: FastifyRequest, reply: FastifyReply): Promise<FormImporter | null> {
  const account = requireStaff(req, reply);
  if (!account) return null;
  const tenants = new Map<string, string>();
  for (const m of await listMemberships(db, account.id)) if (FORM_IMPORT_ROLES.includes(m.role)) tenants.set(m.tenant_id, m.tenant_name);
  if (tenants.size === 0) throw new DomainError('NOT_FOUND');
  return { account, tenants: [...tenants].map(([id, name]) => ({ id, name })) };
}
