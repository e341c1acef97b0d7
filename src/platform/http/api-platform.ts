/**
 * The platform of the public read-only JSON API (/api/v1 catalogue endpoints), a sibling of the web
 * platform: no cookies, sessions, CSRF or form parsing — none of it is used there — so each request
 * costs little more than its answer. What it shares with the pages: the rate limit (same budget
 * per client address with the shared store), the request's language (`?lang=`, else
 * Accept-Language), strict headers, the request id and the one error handler (problem+json).
 */
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.ts';
import type { Db } from '../db/database.ts';
import { parseLocale, translator, type Translate } from '../i18n/i18n.ts';
import { handleError, rateLimitOptions } from './web.ts';

export interface ApiPlatformOptions {
  config: Config;
  db: Db;
  sharedRateLimits: boolean;
}

/** The language of an API request: `?lang=`, else the first supported one in Accept-Language, else German. */
function apiLocale(query: unknown, acceptLanguage: string | undefined) {
  const requested = parseLocale((query as Record<string, unknown> | undefined)?.lang);
  if (requested) return requested;
  for (const part of (acceptLanguage ?? '').split(',')) {
    const locale = parseLocale(part.split(';')[0]!.trim().slice(0, 2).toLowerCase());
    if (locale) return locale;
  }
  return 'de';
}

/** Registers the API platform on its own (encapsulated) Fastify context, before its routes. */
export async function registerApiPlatform(api: FastifyInstance, { config, db, sharedRateLimits }: ApiPlatformOptions): Promise<void> {
  // JSON needs no script, style or framing: the strictest policy, built once.
  const headers: Record<string, string> = {
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
    'cross-origin-opener-policy': 'same-origin',
    'x-frame-options': 'DENY',
    ...(config.secureCookies ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
  };
  api.decorateRequest('locale', 'de');
  api.decorateRequest('t', null as unknown as Translate);
  api.decorateRequest('viewer', null);
  api.addHook('onRequest', (req, reply, done) => {
    reply.headers(headers);
    req.locale = apiLocale(req.query, req.headers['accept-language']);
    req.t = translator(req.locale);
    done();
  });
  await api.register(fastifyRateLimit, rateLimitOptions(config, db, sharedRateLimits));
  api.addHook('onSend', (req, reply, _payload, done) => {
    reply.header('x-request-id', req.id);
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    done();
  });
  // Unknown paths fall through to the web platform's not-found handler, which answers /api/ with problem+json.
  api.setErrorHandler(handleError);
}
