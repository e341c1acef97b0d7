/**
 * Who may see citizen pages: a logged-in citizen, at the trust level a page needs; anyone else is
 * sent to the login (at that level) and back.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { safeReturnPath } from './identity.schemas.ts';
import { meetsLevel, type TrustLevel } from './saml-profile.ts';

/** The logged-in citizen as the request knows it (no personal data beyond the display name). */
export interface Citizen {
  id: string;
  /** The trust level reached at this session's login. */
  level: TrustLevel;
  displayName: string;
  /** How the session was authenticated. */
  loginMethod: 'saml' | 'oidc';
  /** The organisation this person acts for in this session (business account), if any. */
  organisationId: string | null;
  organisationName: string | null;
}

/** What other modules record with an application or mailbox action. */
export interface CurrentCitizen {
  /** The person's account (always the natural person who acts). */
  accountId: string;
  /** The trust level in force for this session. */
  level: TrustLevel;
  loginMethod: 'saml' | 'oidc';
  /** Set when the person acts on behalf of an organisation: applications and mailbox belong to it. */
  organisationId?: string;
  displayName: string;
}

/** Returns the logged-in citizen, or redirects to /anmelden (with the way back) and returns null. */
export function requireCitizen(req: FastifyRequest, reply: FastifyReply): Citizen | null {
  if (req.citizen) return req.citizen;
  const next = req.url.split('?')[0] ?? '/konto';
  void reply.redirect(`/anmelden?weiter=${encodeURIComponent(next)}`, 303);
  return null;
}

/** The citizen acting in this request (and the organisation acted for), or null when none is logged in. */
export function currentCitizen(req: FastifyRequest): CurrentCitizen | null {
  const c = req.citizen;
  if (!c) return null;
  return {
    accountId: c.id, level: c.level, loginMethod: c.loginMethod, displayName: c.displayName,
    ...(c.organisationId ? { organisationId: c.organisationId } : {}),
  };
}

/**
 * Guard for pages that need a minimum trust level: returns the current citizen when one is logged in
 * at `level` or above; otherwise redirects (303) to the login at that level, which comes back to
 * `returnTo` afterwards (step-up), and returns null — the handler then returns the reply.
 * `returnTo` must be a path on this site ("/…", not "//host"); anything else is replaced by /konto.
 */
export function requireCitizenLevel(req: FastifyRequest, reply: FastifyReply, level: TrustLevel, returnTo: string): CurrentCitizen | null {
  const current = currentCitizen(req);
  if (current && meetsLevel(current.level, level)) return current;
  void reply.redirect(`/anmelden?niveau=${level}&weiter=${encodeURIComponent(safeReturnPath(returnTo))}`, 303);
  return null;
}
