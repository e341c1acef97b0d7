/**
 * The web platform every module's routes run on: cookies, database-backed sessions, CSRF on every
 * state-changing form, strict security headers, shared rate limits, locale, page rendering and the
 * one error handler (accessible HTML page or application/problem+json, never internals).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyMultipart from '@fastify/multipart';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySession from '@fastify/session';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import helmet from 'helmet';
import type { Config } from '../../config.ts';
import type { Db } from '../db/database.ts';
import type { Renderer } from '../html/views.ts';
import { parseLocale, translator, type Locale, type Translate } from '../i18n/i18n.ts';
import { codeForStatus, DomainError, errorCatalog, type ErrorCode, type InvalidParam } from './errors.ts';
import { createFileCollector, csrfTokenOfBody } from './multipart.ts';
import { pgRateLimitStore } from './rate-limit-store.ts';
import { PgSessionStore } from './session-store.ts';

const PUBLIC_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../public');
const LOCALE_COOKIE = 'lang';

/** Who is looking at the page, as far as the layout needs to know. */
export interface Viewer {
  kind: 'staff' | 'citizen';
  displayName: string;
  /** Staff: the tenants they belong to (a switcher in the header when more than one) and the active one. */
  tenants?: { id: string; name: string }[];
  activeTenantId?: string | null;
  /** Citizen: messages in the mailbox not yet opened (shown beside the mailbox link). */
  unread?: number;
}

/**
 * The only non-API POST routes without the CSRF token check: they receive cross-site SAML posts
 * that cannot carry our token. The assertion consumer is protected by the signed assertion, bound
 * to a request id we stored and accepted once; the single logout endpoint likewise by the signed
 * LogoutResponse (answering a request we stored, accepted once) or the signed LogoutRequest (used
 * once); the demo identity provider's sign-on endpoint (demo only) just shows its login page, and its
 * single logout endpoint (demo only) takes only messages signed by this portal; the demo OpenID
 * provider's endpoints (demo only) are called server to server (token) or protect themselves
 * (oidc-provider's own checks).
 */
const CSRF_EXEMPT_ROUTES: ReadonlySet<string> = new Set(['POST /saml/acs', 'POST /saml/slo', 'POST /demo-idp/sso', 'POST /demo-idp/slo', 'POST /demo-idp/oidc/*']);

declare module 'fastify' {
  interface FastifyRequest {
    locale: Locale;
    t: Translate;
    viewer: Viewer | null;
  }
  interface FastifyReply {
    /** Renders a page inside the layout with the request's locale, CSRF token and viewer. */
    page(template: string, context: Record<string, unknown>, status?: number): FastifyReply;
  }
}

export interface WebPlatformOptions {
  config: Config;
  db: Db;
  render: Renderer;
  /** Rate-limit counters must be shared when several instances serve one PostgreSQL server;
   * embedded PGlite is always a single instance, so counting in its process is enough and cheaper. */
  sharedRateLimits: boolean;
}

/** Registers the web platform on a Fastify instance (before any module's routes). */
export async function registerWebPlatform(app: FastifyInstance, { config, db, render, sharedRateLimits }: WebPlatformOptions): Promise<void> {
  app.decorateRequest('locale', 'de');
  app.decorateRequest('t', null as unknown as Translate);
  app.decorateRequest('viewer', null);

  // helmet's middleware, built once: @fastify/helmet would rebuild (and re-parse the CSP) per request.
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
        ...(config.secureCookies ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: config.secureCookies ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: false,
  });
  app.addHook('onRequest', (req, reply, done) => securityHeaders(req.raw, reply.raw, (error?: unknown) => done(error as Error | undefined)));

  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    secret: config.sessionSecret,
    cookieName: config.secureCookies ? '__Host-session' : 'session',
    cookie: { secure: config.secureCookies, httpOnly: true, sameSite: 'lax', path: '/', maxAge: 12 * 60 * 60 * 1000 },
    saveUninitialized: false,
    store: new PgSessionStore(db),
  });
  await app.register(fastifyCsrf, {
    sessionPlugin: '@fastify/session',
    getToken: (req) => csrfTokenOfBody(req.body) ?? (req.headers['x-csrf-token'] as string | undefined),
  });
  await app.register(fastifyFormbody, { bodyLimit: 256 * 1024 });
  // Multipart (uploads), registered once for every module: the body is parsed before the CSRF check
  // below, so the token is read from the `_csrf` part. Files are held only up to the size limit
  // (`truncated` beyond it), and only on routes that declare multipartRouteConfig; read them with
  // platform/http/multipart.ts readMultipartForm.
  await app.register(fastifyMultipart, {
    attachFieldsToBody: true,
    throwFileSizeLimit: false,
    onFile: createFileCollector(config.uploads.maxRequestBytes),
    limits: { fileSize: config.uploads.maxBytes, files: config.uploads.maxFiles, fields: 200, fieldSize: 100 * 1024, parts: 300 },
  });

  await app.register(fastifyRateLimit, rateLimitOptions(config, db, sharedRateLimits));

  await app.register(fastifyStatic, {
    root: PUBLIC_DIR,
    prefix: '/static/',
    maxAge: config.env === 'production' ? '1d' : 0,
    index: false,
  });

  // Locale: ?lang= switches and is remembered in a cookie; German otherwise.
  app.addHook('onRequest', async (req, reply) => {
    const query = req.query as Record<string, unknown> | undefined;
    const requested = parseLocale(query?.lang);
    if (requested) {
      reply.setCookie(LOCALE_COOKIE, requested, {
        path: '/', sameSite: 'lax', httpOnly: true, secure: config.secureCookies, maxAge: 365 * 24 * 3600,
      });
    }
    req.locale = requested ?? parseLocale(req.cookies[LOCALE_COOKIE]) ?? 'de';
    req.t = translator(req.locale);
  });

  // CSRF: every state-changing request from a browser form carries the session's token.
  app.addHook('preHandler', (req, reply, done) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS' || isApiRequest(req)) return done();
    if (CSRF_EXEMPT_ROUTES.has(`${req.method} ${req.routeOptions.url}`)) return done();
    app.csrfProtection(req, reply, done);
  });

  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
    if (!reply.hasHeader('cache-control') && !req.url.startsWith('/static/')) reply.header('cache-control', 'no-store');
  });

  app.decorateReply('page', function page(this: FastifyReply, template: string, context: Record<string, unknown>, status = 200) {
    const req = this.request;
    const html = render(template, { ...baseContext(req, this, config), ...context });
    return this.code(status).type('text/html; charset=utf-8').send(html);
  });

  app.setNotFoundHandler((req, reply) => sendError(req, reply, 'NOT_FOUND'));

  app.setErrorHandler(handleError);
}

/** The one error handler: a catalog code from the error, logged without personal data, sent as page or problem+json. */
export function handleError(error: Error & { statusCode?: number; code?: string }, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  let code: ErrorCode;
  if (error instanceof DomainError) code = error.code;
  else if (error.code === 'FST_CSRF_INVALID_TOKEN' || error.code === 'FST_CSRF_MISSING_SECRET') code = 'CSRF_INVALID';
  else if (error.statusCode && error.statusCode < 500) code = codeForStatus(error.statusCode);
  else code = 'INTERNAL';
  if (errorCatalog[code].report) req.log.error({ err: error, reqId: req.id }, 'request failed');
  else req.log.info({ code, reqId: req.id }, 'request refused');
  const retryAfter = (error as { retryAfter?: string }).retryAfter;
  if (retryAfter) reply.header('retry-after', Math.ceil(Number(reply.getHeader('x-ratelimit-reset') ?? 60)));
  return sendError(req, reply, code, error instanceof DomainError ? error.invalidParams : []);
}

/** The rate limiter's options, the same for pages and the public API (one budget per client address with a shared store). */
export function rateLimitOptions(config: Config, db: Db, sharedRateLimits: boolean) {
  return {
    global: true,
    max: config.rateLimitPerMinute,
    timeWindow: 60_000,
    ...(sharedRateLimits ? { store: pgRateLimitStore(db) } : {}),
    keyGenerator: (req: FastifyRequest) => req.ip,
    allowList: (req: FastifyRequest) => req.url === '/health' || req.url === '/ready' || req.url.startsWith('/static/'),
    errorResponseBuilder: (_req: FastifyRequest, context: { after: string }) =>
      Object.assign(new DomainError('RATE_LIMITED'), { statusCode: 429, retryAfter: context.after }),
  };
}

function baseContext(req: FastifyRequest, reply: FastifyReply, config: Config): Record<string, unknown> {
  const other: Locale = req.locale === 'de' ? 'en' : 'de';
  const url = new URL(req.url, 'http://placeholder');
  url.searchParams.set('lang', other);
  let csrfToken: string | undefined;
  return {
    locale: req.locale,
    t: req.t,
    currentPath: url.pathname,
    demoMode: config.demo || config.env !== 'production',
    viewer: req.viewer,
    staff: req.viewer?.kind === 'staff' ? req.viewer : null,
    citizen: req.viewer?.kind === 'citizen' ? req.viewer : null,
    langSwitch: { href: `${url.pathname}${url.search}`, lang: other, label: other === 'en' ? 'English' : 'Deutsch' },
    // Lazily created: only pages with a form start a session for the token.
    csrf: () => (csrfToken ??= reply.generateCsrf()),
  };
}

/** True for the JSON API and machine endpoints (problem+json errors, no CSRF: no cookies are used there). */
export function isApiRequest(req: FastifyRequest): boolean {
  return req.url.startsWith('/api/');
}

function wantsJson(req: FastifyRequest): boolean {
  if (isApiRequest(req)) return true;
  const accept = req.headers.accept ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

/**
 * Sends the error for `code` as an accessible page or as application/problem+json; the refused
 * parameters, if any, go into the JSON as `invalidParams` (each named, with a translated reason).
 */
export function sendError(req: FastifyRequest, reply: FastifyReply, code: ErrorCode, invalidParams: readonly InvalidParam[] = []): FastifyReply {
  const entry = errorCatalog[code];
  const t = req.t ?? translator('de');
  if (wantsJson(req)) {
    return reply
      .code(entry.status)
      .type('application/problem+json')
      .send({
        type: `about:blank`,
        title: t(entry.titleKey),
        status: entry.status,
        detail: t(entry.messageKey),
        code,
        instance: req.url.split('?')[0],
        ...(invalidParams.length > 0 ? { invalidParams: invalidParams.map((p) => ({ name: p.name, reason: t(p.reason) })) } : {}),
        requestId: req.id,
      });
  }
  return reply.page('platform/html/templates/error.njk', {
    pageTitle: t(entry.titleKey),
    message: t(entry.messageKey),
    status: entry.status,
    requestId: req.id,
    showReference: entry.status >= 500,
  }, entry.status);
}
