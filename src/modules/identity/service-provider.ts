/**
 * This portal as SAML 2.0 service provider in the BundID/BayernID profile (HTTP-POST binding).
 * Requests and responses are built and checked by @node-saml/node-saml (signature with the
 * identity provider's certificate from its metadata, audience, validity window, InResponseTo);
 * on top of it this file checks what the library leaves to the caller: Destination and Recipient
 * are our assertion consumer URL, the signed assertion's issuer and InResponseTo, the level
 * reached, and that an assertion is used once. Outstanding request ids and used assertion ids live
 * in the database, so any instance can take the answer.
 */
import { SAML, SamlStatusError, ValidateInResponseTo, type CacheProvider, type Profile } from '@node-saml/node-saml';
import { DOMParser } from '@xmldom/xmldom';
import type { Db } from '../../platform/db/database.ts';
import type { IdentityProvider } from './idp-metadata.ts';
import type { KeyMaterial } from './key-material.ts';
import { AKDB_NAMESPACE, AUTHN_CONTEXT, levelOfAuthnContext, meetsLevel, normaliseAttributeName, OID, ORG_ATTRIBUTE, REQUESTED_ATTRIBUTES, type TrustLevel } from './saml-profile.ts';
import { findSamlRequest, insertSamlRequest, markAssertionUsed, takeSamlRequest, type SamlRequestRow } from './identity.repository.ts';
import { randomUUID } from 'node:crypto';

export interface ServiceProviderOptions {
  db: Db;
  entityId: string;
  /** The service provider's signing key and certificate. */
  keys(): Promise<KeyMaterial>;
  /** The identity provider, as seen from this base URL; null when citizen login is not configured. */
  identityProvider(baseUrl: string): Promise<IdentityProvider | null>;
  /** Tolerated clock difference to the identity provider. */
  clockSkewMs?: number;
  /** How long a login at the identity provider may take. */
  requestLifetimeMs?: number;
  /** How old an assertion may be at most (from its IssueInstant). */
  maxAssertionAgeMs?: number;
}

/** The identity asserted by the identity provider (personal data: never log it). */
export interface AssertedIdentity {
  bpk2: string;
  givenName: string | null;
  familyName: string | null;
  street: string | null;
  postalCode: string | null;
  locality: string | null;
  country: string | null;
  birthDate: string | null;
  email: string | null;
  /** The organisation the person logged in for (business account), if any. */
  organisation: AssertedOrganisation | null;
}

/** An organisation identity asserted together with the person. */
export interface AssertedOrganisation {
  id: string;
  name: string;
  street: string | null;
  postalCode: string | null;
  locality: string | null;
  country: string | null;
}

/** Why a response was refused: `reason` for logs and audit (no personal data), `code` for the page. */
export type RefusalCode = 'invalid' | 'expired' | 'level' | 'cancelled' | 'unavailable';
export type ConsumeResult =
  | { ok: true; value: { identity: AssertedIdentity; level: TrustLevel; returnPath: string } }
  | { ok: false; code: RefusalCode; reason: string };

export interface ServiceProvider {
  /** Creates an AuthnRequest, stores its id with the return path, and returns the form to post to the identity provider. */
  startLogin(input: { baseUrl: string; acsUrl: string; level: TrustLevel; returnPath: string }): Promise<{ action: string; fields: Record<string, string> } | null>;
  /** Validates a posted SAMLResponse. */
  consumeResponse(input: { baseUrl: string; samlResponse: string }): Promise<ConsumeResult>;
  /** This service provider's metadata XML. */
  metadata(acsUrl: string): Promise<string>;
}

const HTTP_POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';

/** Creates the service provider. */
export function createServiceProvider(options: ServiceProviderOptions): ServiceProvider {
  const clockSkewMs = options.clockSkewMs ?? 60_000;
  const requestLifetimeMs = options.requestLifetimeMs ?? 30 * 60_000;
  const maxAssertionAgeMs = options.maxAssertionAgeMs ?? 5 * 60_000;
  const { db } = options;

  async function samlFor(idp: IdentityProvider, acsUrl: string, extra: { level?: TrustLevel; id?: string; cache: CacheProvider }): Promise<SAML> {
    const keys = await options.keys();
    return new SAML({
      issuer: options.entityId,
      audience: options.entityId,
      callbackUrl: acsUrl,
      entryPoint: idp.ssoUrl,
      idpCert: idp.certificates,
      idpIssuer: idp.entityId,
      privateKey: keys.privateKeyPem,
      publicCert: keys.certificatePem,
      decryptionPvk: keys.privateKeyPem,
      signatureAlgorithm: 'sha256',
      digestAlgorithm: 'sha256',
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: false,
      acceptedClockSkewMs: clockSkewMs,
      maxAssertionAgeMs,
      validateInResponseTo: ValidateInResponseTo.always,
      requestIdExpirationPeriodMs: requestLifetimeMs,
      cacheProvider: extra.cache,
      ...(extra.id ? { generateUniqueId: () => extra.id! } : {}),
      authnRequestBinding: 'HTTP-POST',
      // HTTP-POST carries the request base64-encoded, not deflated.
      skipRequestCompression: true,
      identifierFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
      allowCreate: false,
      forceAuthn: false,
      attributeConsumingServiceIndex: '0',
      racComparison: 'minimum',
      authnContext: [AUTHN_CONTEXT[extra.level ?? 'niedrig']],
      samlAuthnRequestExtensions: {
        'akdb:AuthenticationRequest': {
          '@xmlns:akdb': AKDB_NAMESPACE,
          '@Version': '2',
          'akdb:RequestedAttributes': {
            'akdb:RequestedAttribute': REQUESTED_ATTRIBUTES.map((name) => ({ '@Name': name, '@RequiredAttribute': name === OID.bpk2 ? 'true' : 'false' })),
          },
        },
      },
    });
  }

  return {
    async startLogin({ baseUrl, acsUrl, level, returnPath }) {
      const idp = await options.identityProvider(baseUrl);
      if (!idp) return null;
      const id = `_${randomUUID()}`;
      const cache: CacheProvider = {
        async saveAsync(key) {
          await insertSamlRequest(db, { id: key, acsUrl, requestedLevel: level, returnPath, expiresAt: new Date(Date.now() + requestLifetimeMs) });
          return { value: key, createdAt: Date.now() };
        },
        getAsync: async () => null,
        removeAsync: async () => null,
      };
      const saml = await samlFor(idp, acsUrl, { level, id, cache });
      const message = await saml.getAuthorizeMessageAsync('', undefined, {});
      const fields: Record<string, string> = {};
      for (const [k, v] of Object.entries(message)) if (typeof v === 'string' && v !== '') fields[k] = v;
      return { action: idp.ssoUrl, fields };
    },

    async consumeResponse({ baseUrl, samlResponse }) {
      const idp = await options.identityProvider(baseUrl);
      if (!idp) return { ok: false, code: 'unavailable', reason: 'not_configured' };
      // node-saml removes the request id when it accepts or refuses a response; the row removed is kept here.
      const taken = new Map<string, SamlRequestRow>();
      const cache: CacheProvider = {
        async saveAsync() { return null; },
        async getAsync(key) {
          const row = await findSamlRequest(db, key);
          return row ? row.created_at.toISOString() : null;
        },
        async removeAsync(key) {
          if (!key) return null;
          const row = await takeSamlRequest(db, key);
          if (row) taken.set(key, row);
          return row ? key : null;
        },
      };
      // The consumer URL is checked against the stored request below; here it only fills an option.
      const saml = await samlFor(idp, `${baseUrl}/saml/acs`, { cache });
      let profile: Profile | null;
      try {
        ({ profile } = await saml.validatePostResponseAsync({ SAMLResponse: samlResponse }));
      } catch (error) {
        return { ok: false, ...classify(error) };
      }
      if (!profile) return { ok: false, code: 'invalid', reason: 'no_assertion' };
      const inResponseTo = typeof profile.inResponseTo === 'string' ? profile.inResponseTo : undefined;
      if (!inResponseTo) return { ok: false, code: 'expired', reason: 'unknown_request' };
      // Exactly one response per request: whoever deletes the row first proceeds.
      const request = taken.get(inResponseTo) ?? await takeSamlRequest(db, inResponseTo);
      if (!request) return { ok: false, code: 'expired', reason: 'unknown_request' };
      return checkAssertion(profile, request, idp);
    },

    async metadata(acsUrl) {
      const keys = await options.keys();
      const noCache: CacheProvider = { saveAsync: async () => null, getAsync: async () => null, removeAsync: async () => null };
      const saml = await samlFor({ entityId: '', ssoUrl: 'https://unused.invalid', certificates: [keys.certificatePem] }, acsUrl, { cache: noCache });
      // Encrypted assertions are accepted too (decrypted with the same key), so the certificate is offered for both uses.
      return saml.generateServiceProviderMetadata(keys.certificatePem, keys.certificatePem);
    },
  };

  async function checkAssertion(profile: Profile, request: SamlRequestRow, idp: IdentityProvider): Promise<ConsumeResult> {
    // The Response element itself may be unsigned: its Destination is checked, but what counts is
    // the signed assertion's Recipient and InResponseTo.
    const destination = responseDestination(profile.getSamlResponseXml?.() ?? '');
    if (destination !== request.acs_url) return { ok: false, code: 'invalid', reason: 'destination' };
    const assertion = (profile.getAssertion?.() as { Assertion?: XmlJs } | undefined)?.Assertion;
    if (!assertion) return { ok: false, code: 'invalid', reason: 'no_assertion' };
    if (text(first(assertion.Issuer)) !== idp.entityId) return { ok: false, code: 'invalid', reason: 'issuer' };
    const confirmations = (first(assertion.Subject)?.SubjectConfirmation ?? []) as XmlJs[];
    const bearer = confirmations.map((c) => ({ method: attr(c, 'Method'), data: first(c.SubjectConfirmationData) }))
      .find((c) => c.method === BEARER && attr(c.data, 'Recipient') === request.acs_url && attr(c.data, 'InResponseTo') === request.id
        && attr(c.data, 'NotOnOrAfter') !== undefined);
    if (!bearer) return { ok: false, code: 'invalid', reason: 'recipient' };
    const classRef = text(first(first(first(assertion.AuthnStatement)?.AuthnContext)?.AuthnContextClassRef));
    const level = levelOfAuthnContext(classRef);
    if (!level) return { ok: false, code: 'invalid', reason: 'authn_context' };
    if (!meetsLevel(level, request.requested_level)) return { ok: false, code: 'level', reason: 'level_too_low' };
    const assertionId = attr(assertion, 'ID');
    if (!assertionId) return { ok: false, code: 'invalid', reason: 'no_assertion_id' };
    // Kept until the assertion could no longer be accepted anyway (its age limit plus the skew).
    if (!(await markAssertionUsed(db, `${idp.entityId}|${assertionId}`, new Date(Date.now() + maxAssertionAgeMs + 2 * clockSkewMs)))) {
      return { ok: false, code: 'expired', reason: 'replayed' };
    }
    const identity = identityOf(profile);
    if (!identity) return { ok: false, code: 'invalid', reason: 'no_bpk2' };
    return { ok: true, value: { identity, level, returnPath: request.return_path } };
  }
}

type XmlJs = { $?: Record<string, string>; _?: string; [key: string]: unknown };
function first(value: unknown): XmlJs | undefined {
  return Array.isArray(value) ? (value[0] as XmlJs | undefined) : undefined;
}
function attr(node: XmlJs | undefined, name: string): string | undefined {
  return node?.$?.[name];
}
function text(node: XmlJs | undefined): string | undefined {
  return typeof node?._ === 'string' ? node._.trim() : undefined;
}

function responseDestination(xml: string): string | null {
  const doc = new DOMParser({ errorHandler: { error: () => undefined, fatalError: () => undefined } }).parseFromString(xml, 'text/xml');
  return doc.documentElement?.getAttribute('Destination') || null;
}

/** The profile's attributes by canonical OID; the first value when an attribute has several. */
function identityOf(profile: Profile): AssertedIdentity | null {
  const byName = new Map<string, string>();
  for (const [name, value] of Object.entries((profile.attributes ?? {}) as Record<string, unknown>)) {
    const v = Array.isArray(value) ? value[0] : value;
    if (typeof v === 'string' && v.trim() !== '') byName.set(normaliseAttributeName(name), v.trim());
  }
  const get = (oid: string) => byName.get(oid) ?? null;
  const bpk2 = get(OID.bpk2);
  if (!bpk2) return null;
  return {
    bpk2,
    givenName: get(OID.givenName),
    familyName: get(OID.surname),
    street: get(OID.postalAddress),
    postalCode: get(OID.postalCode),
    locality: get(OID.localityName),
    country: get(OID.country),
    birthDate: get(OID.birthdate),
    email: get(OID.mail),
    organisation: get(ORG_ATTRIBUTE.id) && get(ORG_ATTRIBUTE.name)
      ? { id: get(ORG_ATTRIBUTE.id)!, name: get(ORG_ATTRIBUTE.name)!, street: get(ORG_ATTRIBUTE.street), postalCode: get(ORG_ATTRIBUTE.postalCode), locality: get(ORG_ATTRIBUTE.locality), country: get(ORG_ATTRIBUTE.country) }
      : null,
  };
}

/** Maps node-saml's refusals to a reason (for logs and audit) and a page code. */
function classify(error: unknown): { code: RefusalCode; reason: string } {
  if (error instanceof SamlStatusError) return { code: 'cancelled', reason: 'idp_status' };
  const message = error instanceof Error ? error.message : '';
  if (/InResponseTo/i.test(message)) return { code: 'expired', reason: 'unknown_request' };
  if (/expired|not yet valid|too old|No valid subject confirmation/i.test(message)) return { code: 'expired', reason: 'expired' };
  if (/audience/i.test(message)) return { code: 'invalid', reason: 'audience' };
  if (/signature/i.test(message)) return { code: 'invalid', reason: 'signature' };
  if (/issuer/i.test(message)) return { code: 'invalid', reason: 'issuer' };
  return { code: 'invalid', reason: 'malformed' };
}
