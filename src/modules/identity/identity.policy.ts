/**
 * Who may see citizen pages: a logged-in citizen; anyone else is sent to the login and back.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TrustLevel } from './saml-profile.ts';

/** The logged-in citizen as the request knows it (no personal data beyond the display name). */
export interface Citizen {
  id: string;
  /** The trust level reached at this session's login. */
  level: TrustLevel;
  displayName: string;
}

/** Returns the logged-in citizen, or redirects to /anmelden (with the way back) and returns null. */
export function requireCitizen(req: FastifyRequest, reply: FastifyReply): Citizen | null {
  if (req.citizen) return req.citizen;
  const next = req.url.split('?')[0] ?? '/konto';
  void reply.redirect(`/anmelden?weiter=${encodeURIComponent(next)}`, 303);
  return null;
}
