/**
 * Who may see staff pages. An unauthenticated visitor is sent to the login; a staff member
 * without the needed role sees "not found", so that the page's existence is not confirmed.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../platform/http/errors.ts';
import type { StaffAccount } from './staff.repository.ts';

/** Returns the logged-in staff account, or redirects to the login and returns null. */
export function requireStaff(req: FastifyRequest, reply: FastifyReply): StaffAccount | null {
  if (req.staffAccount) return req.staffAccount;
  const next = req.url.split('?')[0] ?? '/verwaltung';
  void reply.redirect(`/verwaltung/anmelden?weiter=${encodeURIComponent(next)}`, 303);
  return null;
}

/** The platform operator's pages (mail outbox, feedback inbox). */
export function requirePlatformOperator(req: FastifyRequest, reply: FastifyReply): StaffAccount | null {
  const account = requireStaff(req, reply);
  if (account && !account.is_platform_operator) throw new DomainError('NOT_FOUND');
  return account;
}

/** A redirect target after login: a path on this site only. */
export function safeNextPath(next: unknown): string {
  return typeof next === 'string' && /^\/(?!\/)[\w\-./]*$/.test(next) ? next : '/verwaltung';
}
