/**
 * The demo identity provider's OpenID Connect side, built with oidc-provider (panva; certified
 * OpenID Provider library): discovery, JWKS, authorization endpoint (code flow, PKCE S256 required),
 * token endpoint (codes single-use, client authenticated), userinfo and end-session. Mounted inside
 * the portal under /demo-idp/oidc (demo mode only); its login page is the same person picker as the
 * SAML side (demo-idp.routes.ts), and the picked level is asserted as `acr`.
 *
 * oidc-provider is a Koa application: requests under the prefix are handed to it with Fastify's
 * `reply.hijack()`, the prefix moved into `originalUrl` as Express-style mounting does. Its state
 * (interactions, codes, sessions) is kept in its in-memory adapter: the demo provider is a
 * single-instance test service, never used in production.
 */
import { createPrivateKey, createHash, hkdfSync } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { KeyMaterial } from '../key-material.ts';
import { TRUST_LEVELS, type TrustLevel } from '../saml-profile.ts';
import { findTestOrganisation, findTestPerson, type TestOrganisation, type TestPerson } from './test-persons.ts';

export const DEMO_OIDC_PREFIX = '/demo-idp/oidc';
export const DEMO_OIDC_LOGIN_PATH = '/demo-idp/oidc-anmeldung';

export interface DemoOidcOptions {
  keys(): Promise<KeyMaterial>;
  /** Secret from which the provider's cookie-signing keys are derived. */
  secret: string;
  clientId: string;
  clientSecret: string;
  acrValues: Record<TrustLevel, string>;
  /** The redirect URI registered for the portal, as seen from a base URL. */
  redirectUri(baseUrl: string): string;
  trustProxy: boolean;
}

export interface DemoOidcProvider {
  issuer(baseUrl: string): string;
  /** The provider for this base URL (created at first use). */
  provider(baseUrl: string): Promise<Provider>;
  /** Hands a request under DEMO_OIDC_PREFIX to the provider; the caller has hijacked the reply. */
  handle(baseUrl: string, req: IncomingMessage & { body?: unknown }, res: ServerResponse): Promise<void>;
}

/** The account id the picker logs in: a test person, and the organisation chosen (business account). */
export function accountIdOf(person: TestPerson, organisation?: TestOrganisation): string {
  return organisation ? `demo-${person.id}~${organisation.id}` : `demo-${person.id}`;
}

/** Claims of a test person in the OpenID Connect standard claims (and the bPK2 as `bpk2`, the organisation as `organisation`). */
export function claimsOf(person: TestPerson, organisation?: TestOrganisation): Record<string, unknown> {
  const address = Object.fromEntries(Object.entries({
    street_address: person.postalAddress, postal_code: person.postalCode, locality: person.localityName, country: person.country,
  }).filter(([, v]) => v));
  return {
    sub: accountIdOf(person),
    bpk2: person.bpk2,
    given_name: person.givenname,
    family_name: person.surname,
    birthdate: person.birthdate,
    ...(person.mail ? { email: person.mail } : {}),
    ...(Object.keys(address).length ? { address } : {}),
    ...(organisation ? {
      organisation: {
        id: organisation.id, name: organisation.name,
        address: { street_address: organisation.street, postal_code: organisation.postalCode, locality: organisation.locality, country: organisation.country },
      },
    } : {}),
  };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Creates the demo provider; one oidc-provider instance per issuer (in practice one). */
export function createDemoOidcProvider(options: DemoOidcOptions): DemoOidcProvider {
  const providers = new Map<string, Promise<Provider>>();
  const cookieKey = Buffer.from(hkdfSync('sha256', options.secret, Buffer.alloc(0), 'digitales-amt/demo-oidc-cookies/v1', 32)).toString('base64url');

  async function build(baseUrl: string): Promise<Provider> {
    const key = await options.keys();
    const jwk = createPrivateKey(key.privateKeyPem).export({ format: 'jwk' });
    const kid = createHash('sha256').update(key.certificatePem).digest('base64url').slice(0, 16);
    const configuration: Configuration = {
      clients: [{
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: [options.redirectUri(baseUrl)],
        post_logout_redirect_uris: [`${baseUrl}/abgemeldet/anmeldedienst`],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'RS256',
      }],
      jwks: { keys: [{ ...jwk, kid, use: 'sig', alg: 'RS256' } as never] },
      cookies: { keys: [cookieKey] },
      pkce: { required: () => true },
      acrValues: TRUST_LEVELS.map((l) => options.acrValues[l]),
      claims: {
        openid: ['sub', 'bpk2', 'organisation'],
        profile: ['given_name', 'family_name', 'birthdate'],
        email: ['email'],
        address: ['address'],
      },
      // The ID token carries the granted claims, so the portal needs no userinfo call (as a BundID broker does).
      conformIdTokenClaims: false,
      features: {
        devInteractions: { enabled: false },
        rpInitiatedLogout: {
          enabled: true,
          // The question whether to end the session here too: plain HTML with the portal's stylesheet (no inline style or script).
          async logoutSource(ctx, form) {
            ctx.type = 'html';
            ctx.body = `<!doctype html><html lang="de"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Test-Anmeldedienst: Abmelden</title><link rel="stylesheet" href="/static/app.css"></head><body><main id="main"><div class="demo-idp-banner" role="note"><p><strong>Testdienst – das ist nicht die echte BundID.</strong></p></div><h1>Auch beim Test-Anmeldedienst abmelden?</h1>${form}<p><button type="submit" form="op.logoutForm" value="yes" name="logout">Ja, abmelden</button> <button type="submit" form="op.logoutForm" class="button--secondary">Nein, angemeldet bleiben</button></p></main></body></html>`;
          },
        },
        claimsParameter: { enabled: true },
      },
      ttl: { AuthorizationCode: 60, IdToken: 300, AccessToken: 300, Interaction: 1800, Session: 1800, Grant: 1800 },
      interactions: { url: (_ctx, interaction) => `${DEMO_OIDC_LOGIN_PATH}/${interaction.uid}` },
      async findAccount(_ctx, sub) {
        const [personId = '', organisationId] = sub.replace(/^demo-/, '').split('~');
        const person = findTestPerson(personId);
        const organisation = organisationId ? findTestOrganisation(organisationId) : undefined;
        if (!person || accountIdOf(person, organisation) !== sub) return undefined;
        return { accountId: sub, claims: async () => ({ ...claimsOf(person, organisation), sub }) };
      },
      // A plain page without inline styles (the portal's CSP allows none).
      async renderError(ctx: KoaContextWithOIDC, out) {
        ctx.type = 'html';
        ctx.body = `<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Test-Anmeldedienst: Fehler</title></head><body><main><h1>Test-Anmeldedienst: Fehler</h1><p>${escapeHtml(String(out.error))}: ${escapeHtml(String(out.error_description ?? ''))}</p><p><a href="/">Zum Portal</a></p></main></body></html>`;
      },
    };
    const provider = new Provider(`${baseUrl}${DEMO_OIDC_PREFIX}`, configuration);
    provider.proxy = options.trustProxy;
    return provider;
  }

  const providerFor = (baseUrl: string) => {
    let p = providers.get(baseUrl);
    if (!p) {
      p = build(baseUrl).catch((error: unknown) => { providers.delete(baseUrl); throw error; });
      providers.set(baseUrl, p);
    }
    return p;
  };

  return {
    issuer: (baseUrl) => `${baseUrl}${DEMO_OIDC_PREFIX}`,
    provider: providerFor,
    async handle(baseUrl, req, res) {
      const provider = await providerFor(baseUrl);
      const raw = req as IncomingMessage & { originalUrl?: string };
      raw.originalUrl = raw.url;
      raw.url = (raw.url ?? '').slice(DEMO_OIDC_PREFIX.length) || '/';
      await provider.callback()(req, res);
    },
  };
}
