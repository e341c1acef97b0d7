/**
 * This portal as OpenID Connect relying party for citizen login (e.g. a Keycloak broker in front of
 * BundID, or the embedded demo identity provider). Built on openid-client (panva): authorization
 * code flow with PKCE (S256), `state` and `nonce`; the library checks the ID token's signature
 * (provider's JWKS; enabled explicitly, see below), issuer, audience, expiry, issued-at and nonce, and the authorization
 * response's `iss` (RFC 9207) when the provider announces it. On top of it this file maps `acr` to
 * the trust level and refuses a level below the one requested. The pending login (state, nonce,
 * code verifier) lives in the browser's server-side session: a callback whose `state` was not
 * issued to this browser, or was used before, is refused (login CSRF, replay).
 */
import * as client from 'openid-client';
import type { OidcConfig } from '../../config.ts';
import { meetsLevel, TRUST_LEVELS, type TrustLevel } from './saml-profile.ts';
import type { AssertedIdentity, AssertedOrganisation, ConsumeResult } from './service-provider.ts';

/** What the session keeps between the redirect to the provider and the callback. */
export interface PendingOidcLogin {
  state: string;
  nonce: string;
  codeVerifier: string;
  level: TrustLevel;
  returnPath: string;
  /** Epoch milliseconds after which the callback is refused. */
  expiresAt: number;
}

export interface RelyingPartyOptions {
  config: OidcConfig;
  /** The issuer when none is configured (the embedded demo provider, as seen from a base URL); null: OIDC off. */
  defaultIssuer(baseUrl: string): string | null;
  /** Allow http:// provider URLs (never in production). */
  allowHttp: boolean;
  /** How long a login at the provider may take. */
  loginLifetimeMs?: number;
  /** Tolerated clock difference to the provider, in seconds. */
  clockToleranceSec?: number;
}

export interface RelyingParty {
  /** The URL to send the browser to and what to keep in the session; null when OIDC is not configured. @throws when discovery fails. */
  start(input: { baseUrl: string; level: TrustLevel; returnPath: string }): Promise<{ url: string; pending: PendingOidcLogin } | null>;
  /** Redeems the callback's code and checks the ID token. Never throws for a refused answer. */
  finish(input: { baseUrl: string; callbackUrl: URL; pending: PendingOidcLogin }): Promise<ConsumeResult>;
  /** The level an `acr` value stands for, or undefined. */
  levelOfAcr(acr: unknown): TrustLevel | undefined;
  /** Where to send the browser to end the session at the provider too (RP-initiated logout), or null when it offers none. */
  endSessionUrl(baseUrl: string): Promise<string | null>;
}

const DISCOVERY_TTL_MS = 60 * 60_000;

/** Creates the relying party; discovery happens at first use and again after an hour. */
export function createRelyingParty(options: RelyingPartyOptions): RelyingParty {
  const { config } = options;
  const loginLifetimeMs = options.loginLifetimeMs ?? 30 * 60_000;
  const discovered = new Map<string, { at: number; value: Promise<client.Configuration> }>();

  const issuerFor = (baseUrl: string) => config.issuer ?? options.defaultIssuer(baseUrl);
  const redirectUriFor = (baseUrl: string) => config.redirectUri ?? `${baseUrl}/oidc/callback`;

  async function configuration(issuer: string): Promise<client.Configuration> {
    let entry = discovered.get(issuer);
    if (!entry || Date.now() - entry.at > DISCOVERY_TTL_MS) {
      const value = client.discovery(new URL(issuer), config.clientId, {
        id_token_signed_response_alg: 'RS256',
      }, client.ClientSecretBasic(config.clientSecret), {
        // openid-client trusts an ID token from the token endpoint on TLS alone (OIDC Core 3.1.3.7) unless
        // told otherwise: the signature is checked against the provider's JWKS as well (non-repudiation checks).
        execute: [client.enableNonRepudiationChecks, ...(options.allowHttp && issuer.startsWith('http:') ? [client.allowInsecureRequests] : [])],
        timeout: 10,
      });
      entry = { at: Date.now(), value };
      discovered.set(issuer, entry);
    }
    try {
      const cfg = await entry.value;
      return cfg;
    } catch (error) {
      discovered.delete(issuer);
      throw error;
    }
  }

  function levelOfAcr(acr: unknown): TrustLevel | undefined {
    return TRUST_LEVELS.find((l) => config.acrValues[l] === acr);
  }

  return {
    levelOfAcr,

    async endSessionUrl(baseUrl) {
      const issuer = issuerFor(baseUrl);
      if (!issuer) return null;
      try {
        const cfg = await configuration(issuer);
        if (!cfg.serverMetadata().end_session_endpoint) return null;
        // Without id_token_hint (the ID token is not kept: it holds personal data); the provider asks the user.
        return client.buildEndSessionUrl(cfg, { client_id: config.clientId, post_logout_redirect_uri: `${baseUrl}/abgemeldet/anmeldedienst` }).href;
      } catch {
        return null;
      }
    },

    async start({ baseUrl, level, returnPath }) {
      const issuer = issuerFor(baseUrl);
      if (!issuer) return null;
      const cfg = await configuration(issuer);
      const pending: PendingOidcLogin = {
        state: client.randomState(),
        nonce: client.randomNonce(),
        codeVerifier: client.randomPKCECodeVerifier(),
        level,
        returnPath,
        expiresAt: Date.now() + loginLifetimeMs,
      };
      // Every level at or above the one needed is acceptable, the lowest preferred (acr_values is an ordered list).
      const acceptable = TRUST_LEVELS.filter((l) => meetsLevel(l, level)).map((l) => config.acrValues[l]);
      const url = client.buildAuthorizationUrl(cfg, {
        redirect_uri: redirectUriFor(baseUrl),
        response_type: 'code',
        scope: 'openid profile email address',
        state: pending.state,
        nonce: pending.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(pending.codeVerifier),
        code_challenge_method: 'S256',
        acr_values: acceptable.join(' '),
        // A login (or step-up) always authenticates anew: a session at the provider from a lower level must not be reused.
        prompt: 'login',
      });
      return { url: url.href, pending };
    },

    async finish({ baseUrl, callbackUrl, pending }) {
      const issuer = issuerFor(baseUrl);
      if (!issuer) return { ok: false, code: 'unavailable', reason: 'not_configured' };
      if (pending.expiresAt < Date.now()) return { ok: false, code: 'expired', reason: 'login_expired' };
      let cfg: client.Configuration;
      try {
        cfg = await configuration(issuer);
      } catch {
        return { ok: false, code: 'unavailable', reason: 'discovery_failed' };
      }
      // The callback is compared with the registered redirect URI: rebuild it from that, keeping only the query.
      const current = new URL(redirectUriFor(baseUrl));
      current.search = callbackUrl.search;
      let claims: Record<string, unknown> | undefined;
      try {
        const tokens = await client.authorizationCodeGrant(cfg, current, {
          pkceCodeVerifier: pending.codeVerifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        });
        claims = tokens.claims() as Record<string, unknown> | undefined;
      } catch (error) {
        return { ok: false, ...classify(error) };
      }
      if (!claims) return { ok: false, code: 'invalid', reason: 'no_id_token' };
      const level = levelOfAcr(claims.acr);
      if (!level) return { ok: false, code: 'invalid', reason: 'acr' };
      if (!meetsLevel(level, pending.level)) return { ok: false, code: 'level', reason: 'level_too_low' };
      const identity = identityOf(claims, config.bpk2Claim);
      if (!identity) return { ok: false, code: 'invalid', reason: 'no_bpk2' };
      return { ok: true, value: { identity, level, returnPath: pending.returnPath } };
    },
  };
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

/** The identity from standard claims (OpenID Connect Core 5.1) and the configured bPK2 claim. */
export function identityOf(claims: Record<string, unknown>, bpk2Claim: string): AssertedIdentity | null {
  const bpk2 = str(claims[bpk2Claim]);
  if (!bpk2) return null;
  const address = (claims.address && typeof claims.address === 'object' ? claims.address : {}) as Record<string, unknown>;
  return {
    bpk2,
    givenName: str(claims.given_name),
    familyName: str(claims.family_name),
    street: str(address.street_address),
    postalCode: str(address.postal_code),
    locality: str(address.locality),
    country: str(address.country),
    birthDate: str(claims.birthdate),
    email: str(claims.email),
    organisation: organisationOf(claims.organisation),
  };
}

/** The `organisation` claim (business account): `{ id, name, address: { street_address, postal_code, locality, country } }`. */
function organisationOf(value: unknown): AssertedOrganisation | null {
  if (!value || typeof value !== 'object') return null;
  const o = value as Record<string, unknown>;
  const id = str(o.id);
  const name = str(o.name);
  if (!id || !name) return null;
  const a = (o.address && typeof o.address === 'object' ? o.address : {}) as Record<string, unknown>;
  return { id, name, street: str(a.street_address), postalCode: str(a.postal_code), locality: str(a.locality), country: str(a.country) };
}

type Coded = { code?: string; message?: string; cause?: Coded & { claim?: string; error?: string } ; error?: string };

/** Maps openid-client's refusals to a reason (logs, audit; no personal data) and a page code. */
export function classify(error: unknown): { code: 'invalid' | 'expired' | 'cancelled' | 'unavailable'; reason: string } {
  const e = error as Coded;
  if (error instanceof client.AuthorizationResponseError) return { code: 'cancelled', reason: 'idp_error' };
  if (error instanceof client.ResponseBodyError) {
    return e.error === 'invalid_grant' ? { code: 'expired', reason: 'code_rejected' } : { code: 'invalid', reason: 'token_error' };
  }
  const inner = e.cause;
  switch (e.code) {
    case 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED': return { code: 'expired', reason: 'expired' };
    case 'OAUTH_JWT_CLAIM_COMPARISON_FAILED': {
      const claim = inner?.cause?.claim ?? inner?.claim;
      if (claim === 'nonce') return { code: 'invalid', reason: 'nonce' };
      if (claim === 'iss') return { code: 'invalid', reason: 'issuer' };
      if (claim === 'aud' || claim === 'azp') return { code: 'invalid', reason: 'audience' };
      return { code: 'invalid', reason: `claim_${typeof claim === 'string' ? claim.replace(/\W/g, '') : 'unknown'}` };
    }
    case 'OAUTH_KEY_SELECTION_FAILED': return { code: 'invalid', reason: 'signature' };
    case 'OAUTH_INVALID_RESPONSE':
      if (/signature/i.test(inner?.message ?? e.message ?? '')) return { code: 'invalid', reason: 'signature' };
      if (/state/i.test(inner?.message ?? '')) return { code: 'invalid', reason: 'state' };
      if (/"iss"/.test(inner?.message ?? '')) return { code: 'invalid', reason: 'issuer' };
      return { code: 'invalid', reason: 'malformed' };
    case 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED': return { code: 'invalid', reason: 'issuer' };
    case 'OAUTH_RESPONSE_IS_NOT_CONFORM': case 'OAUTH_RESPONSE_IS_NOT_JSON': return { code: 'unavailable', reason: 'token_endpoint' };
    default:
      if (error instanceof TypeError && /fetch/i.test(e.message ?? '')) return { code: 'unavailable', reason: 'unreachable' };
      return { code: 'invalid', reason: 'malformed' };
  }
}
