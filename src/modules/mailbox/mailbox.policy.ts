/**
 * Who may use which mailbox. The applicant's mailbox is the person's own, or, while they act for an
 * organisation (business account), the organisation's, which all its members share. Staff see the
 * threads of their active tenant as caseworkers or tenant administrators; anything else is "not found".
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StaffRole } from '../../platform/db/schema.ts';
import { requireCitizen, type Citizen } from '../identity/index.ts';
import { requireStaffTenant, type StaffContext } from '../staff/index.ts';
import type { MailboxOwner } from './mailbox.types.ts';

/** Roles that read and answer the tenant's mailbox. */
export const MAILBOX_STAFF_ROLES: readonly StaffRole[] = ['caseworker', 'tenant_admin'];

/** The mailbox the citizen works in now: the organisation's while acting for it, else their own. */
export function mailboxOwnerOf(citizen: Citizen): MailboxOwner {
  return { accountId: citizen.id, organisationId: citizen.organisationId };
}

/** The logged-in citizen and their mailbox, or null after the redirect to the login. */
export function requireMailboxOwner(req: FastifyRequest, reply: FastifyReply): { citizen: Citizen; owner: MailboxOwner } | null {
  const citizen = requireCitizen(req, reply);
  return citizen ? { citizen, owner: mailboxOwnerOf(citizen) } : null;
}

/**
 * The staff member and their active tenant, with a mailbox role there; null after the redirect to the login.
 * @throws DomainError NOT_FOUND without the role.
 */
export function requireMailboxStaff(req: FastifyRequest, reply: FastifyReply): StaffContext | null {
  return requireStaffTenant(req, reply, MAILBOX_STAFF_ROLES);
}
