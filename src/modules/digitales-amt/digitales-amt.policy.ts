/**
 * Who may confirm awards: staff with the role `ministry` in their active tenant. Anyone else logged in sees "not found"
 * (the page's existence is not confirmed); anonymous visitors are sent to the login.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/http/errors.ts';
import { activeMemberships, requireStaff, type StaffAccount } from '../staff/index.ts';

/**
 * Returns the logged-in ministry staff member, or null after redirecting to the login.
 * @throws DomainError('NOT_FOUND') for staff without the ministry role.
 */
export async function requireMinistryStaff(db: Db, req: FastifyRequest, reply: FastifyReply): Promise<StaffAccount | null> {
  const account = requireStaff(req, reply);
  if (!account) return null;
  const memberships = activeMemberships(req);
  if (!memberships.some((m) => m.role === 'ministry')) throw new DomainError('NOT_FOUND');
  return account;
}
