/**
 * This portal as SAML 2.0 service provider in the BundID/BayernID profile (HTTP-POST binding).
 * Requests and responses are built and checked by @node-saml/node-saml (signature with the
 * identity provider's certificate from its metadata, audience, validity window, InResponseTo);
 * on top of it this file checks what the library leaves to the caller: Destination and Recipient
 * are our assertion consumer URL, the signed assertion's issuer and InResponseTo, the level
 * reached, and that an assertion is used once. Outstanding request ids and used assertion ids live
 * in the database, so any instance can take the answer.
 *
 * Single logout (SAML 2.0 SLO) the same way: our LogoutRequest is signed (HTTP-POST, or HTTP-Redirect
 * when that is all the identity provider offers) and its id stored; the LogoutResponse must be
 * signed with the identity provider's certificate, come from its entity id, be addressed to our
 * single logout URL, answer a request we sent (once) and report Success. A LogoutRequest of the
 * identity provider is checked likewise (signature, issuer, destination, age, used once) and
 * answered with a signed LogoutResponse.
 */
import { SAML, SamlStatusError, ValidateInResponseTo, type CacheProvider, type Profile } from '@node-saml/node-saml';
import { DOMParser } from '@xmldom/xmldom';
import type { Db } from '../../platform/db/database.ts';
import type { IdentityProvider } from './idp-metadata.ts';
import type { KeyMaterial } from './key-material.ts';
import { AKDB_NAMESPACE, AUTHN_CONTEXT, levelOfAuthnContext, meetsLevel, normaliseAttributeName, OID, ORG_ATTRIBUTE, REQUESTED_ATTRIBUTES, type TrustLevel } from './saml-profile.ts';
import { findSamlRequest, insertSamlLogoutRequest, insertSamlRequest, isSamlLogoutRequestOutstanding, markAssertionUsed, takeSamlLogoutRequest, takeSamlRequest, type SamlRequestRow } from './identity.repository.ts';
import { signSamlMessage } from './saml-signing.ts';
import { createHmac, randomUUID } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';

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
  /** How old an assertion may be at most (from its IssueInstant); also the limit for a LogoutRequest. */
  maxAssertionAgeMs?: number;
  /** Key for the keyed hash of NameIDs (finding a person's sessions at a logout from the identity provider). */
  subjectHashKey: Buffer;
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
/** A SAML login also yields what its logout needs. */
export type SamlConsumeResult =
  | { ok: true; value: { identity: AssertedIdentity; level: TrustLevel; returnPath: string; subject: SamlSubject; subjectKey: string } }
  | { ok: false; code: RefusalCode; reason: string };

/**
 * What a logout needs of a SAML login: the assertion's NameID (with its format and qualifiers) and
 * the SessionIndex. The NameID is a pseudonym of the person: keep it encrypted, never log it.
 */
export interface SamlSubject {
  nameId: string;
  nameIdFormat: string;
  nameQualifier?: string;
  spNameQualifier?: string;
  sessionIndex?: string;
}

/** A SAML message on its way through the browser: a form to post (HTTP-POST) or a URL (HTTP-Redirect). */
export type OutgoingSamlMessage =
  | { binding: 'post'; action: string; fields: Record<string, string> }
  | { binding: 'redirect'; url: string };

/** A message received at the single logout endpoint: a posted form, or the query of a redirect (parsed and as sent, for its signature). */
export type IncomingSamlMessage =
  | { binding: 'post'; SAMLRequest?: string; SAMLResponse?: string; RelayState?: string }
  | { binding: 'redirect'; query: Record<string, string>; rawQuery: string };

/** The identity provider's answer to our LogoutRequest: `refused` when it reported a failure, else why it was not accepted. */
export type LogoutResponseResult = { ok: true } | { ok: false; code: 'refused' | 'invalid' | 'expired'; reason: string };

/** A checked LogoutRequest of the identity provider; `answer` builds the signed LogoutResponse (null: it offers no endpoint for it). */
export type LogoutRequestResult =
  | { ok: true; subjectKey: string; sessionIndexes: string[]; answer(success: boolean): Promise<OutgoingSamlMessage | null> }
  | { ok: false; reason: string };

export interface ServiceProvider {
  /** Creates an AuthnRequest, stores its id with the return path, and returns the form to post to the identity provider. */
  startLogin(input: { baseUrl: string; acsUrl: string; level: TrustLevel; returnPath: string }): Promise<{ action: string; fields: Record<string, string> } | null>;
  /** Validates a posted SAMLResponse. */
  consumeResponse(input: { baseUrl: string; samlResponse: string }): Promise<SamlConsumeResult>;
  /**
   * Single logout started here: a signed LogoutRequest for the login's subject, its id stored until
   * the answer. Null when the identity provider offers no single logout.
   */
  startLogout(input: { baseUrl: string; sloUrl: string; subject: SamlSubject }): Promise<OutgoingSamlMessage | null>;
  /** Checks the LogoutResponse to a LogoutRequest we sent; each request is answered once. */
  consumeLogoutResponse(input: { baseUrl: string; sloUrl: string; message: IncomingSamlMessage }): Promise<LogoutResponseResult>;
  /** Checks a LogoutRequest of the identity provider (logout started there). */
  consumeLogoutRequest(input: { baseUrl: string; sloUrl: string; message: IncomingSamlMessage }): Promise<LogoutRequestResult>;
  /** The keyed hash under which a login's NameID is found again (no personal data). */
  subjectKey(idpEntityId: string, nameId: string): string;
  /** This service provider's metadata XML, with its assertion consumer and single logout endpoints. */
  metadata(acsUrl: string, sloUrl: string): Promise<string>;
}

const HTTP_POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';

/** Creates the service provider. */
export function createServiceProvider(options: ServiceProviderOptions): ServiceProvider {
  const clockSkewMs = options.clockSkewMs ?? 60_000;
  const requestLifetimeMs = options.requestLifetimeMs ?? 30 * 60_000;
  const maxAssertionAgeMs = options.maxAssertionAgeMs ?? 5 * 60_000;
  const logoutLifetimeMs = 10 * 60_000;
  const { db } = options;

  async function samlFor(idp: IdentityProvider, acsUrl: string, extra: { level?: TrustLevel; id?: string; cache: CacheProvider; sloUrl?: string }): Promise<SAML> {
    const keys = await options.keys();
    return new SAML({
      issuer: options.entityId,
      audience: options.entityId,
      callbackUrl: acsUrl,
      ...(extra.sloUrl ? { logoutCallbackUrl: extra.sloUrl } : {}),
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

  /** node-saml for logout messages: `destination` is where our request or response goes. */
  async function logoutSamlFor(idp: IdentityProvider, sloUrl: string, destination: string, binding: 'post' | 'redirect', cache: CacheProvider): Promise<SAML> {
    const keys = await options.keys();
    return new SAML({
      issuer: options.entityId,
      audience: options.entityId,
      callbackUrl: sloUrl,
      logoutCallbackUrl: sloUrl,
      entryPoint: idp.ssoUrl,
      logoutUrl: destination,
      idpCert: idp.certificates,
      idpIssuer: idp.entityId,
      privateKey: keys.privateKeyPem,
      publicCert: keys.certificatePem,
      signatureAlgorithm: 'sha256',
      digestAlgorithm: 'sha256',
      acceptedClockSkewMs: clockSkewMs,
      // node-saml reads InResponseTo only from a Response (login): for a LogoutResponse it is checked below.
      validateInResponseTo: ValidateInResponseTo.never,
      requestIdExpirationPeriodMs: logoutLifetimeMs,
      cacheProvider: cache,
      // HTTP-Redirect deflates the message; HTTP-POST sends it base64-encoded only.
      skipRequestCompression: binding === 'post',
    });
  }

  function subjectKey(idpEntityId: string, nameId: string): string {
    return createHmac('sha256', options.subjectHashKey).update(`${idpEntityId}\u0000${nameId}`, 'utf8').digest('hex');
  }

  /** An IssueInstant not older than `maxAgeMs` and not in the future (each with the clock skew). */
  function isFresh(instant: string | null, maxAgeMs: number): boolean {
    const at = instant ? Date.parse(instant) : Number.NaN;
    if (Number.isNaN(at)) return false;
    const now = Date.now();
    return at <= now + clockSkewMs && at >= now - maxAgeMs - clockSkewMs;
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

    subjectKey,

    async startLogout({ baseUrl, sloUrl, subject }) {
      const idp = await options.identityProvider(baseUrl);
      const slo = idp?.singleLogout;
      if (!idp || !slo) return null;
      const cache: CacheProvider = {
        async saveAsync(key) {
          await insertSamlLogoutRequest(db, { id: key, sloUrl, expiresAt: new Date(Date.now() + logoutLifetimeMs) });
          return { value: key, createdAt: Date.now() };
        },
        getAsync: async () => null,
        removeAsync: async () => null,
      };
      const saml = await logoutSamlFor(idp, sloUrl, slo.url, slo.binding, cache);
      const user: Profile = {
        issuer: idp.entityId, nameID: subject.nameId, nameIDFormat: subject.nameIdFormat,
        ...(subject.nameQualifier ? { nameQualifier: subject.nameQualifier } : {}),
        ...(subject.spNameQualifier ? { spNameQualifier: subject.spNameQualifier } : {}),
        ...(subject.sessionIndex ? { sessionIndex: subject.sessionIndex } : {}),
      };
      if (slo.binding === 'redirect') return { binding: 'redirect', url: await saml.getLogoutUrlAsync(user, '', {}) };
      const xml = signSamlMessage(await saml._generateLogoutRequest(user), await options.keys());
      return { binding: 'post', action: slo.url, fields: { SAMLRequest: Buffer.from(xml, 'utf8').toString('base64') } };
    },

    async consumeLogoutResponse({ baseUrl, sloUrl, message }) {
      const idp = await options.identityProvider(baseUrl);
      if (!idp) return { ok: false, code: 'invalid', reason: 'not_configured' };
      const cache: CacheProvider = {
        saveAsync: async () => null,
        getAsync: async (key) => (await isSamlLogoutRequestOutstanding(db, key) ? 'outstanding' : null),
        removeAsync: async () => null,
      };
      const saml = await logoutSamlFor(idp, sloUrl, idp.singleLogout?.url ?? idp.ssoUrl, message.binding, cache);
      const xml = incomingXml(message, 'SAMLResponse');
      if (!xml) return { ok: false, code: 'invalid', reason: 'malformed' };
      try {
        if (message.binding === 'post') {
          const { loggedOut } = await saml.validatePostResponseAsync({ SAMLResponse: message.SAMLResponse! });
          if (!loggedOut) return { ok: false, code: 'invalid', reason: 'not_logout_response' };
        } else {
          // node-saml accepts a redirect without signature: one is required here.
          if (!message.query.Signature || !message.query.SigAlg) return { ok: false, code: 'invalid', reason: 'signature' };
          await saml.validateRedirectAsync(message.query, message.rawQuery);
        }
      } catch (error) {
        const { reason } = classify(error);
        return { ok: false, code: reason === 'unknown_request' ? 'expired' : reason === 'idp_status' ? 'refused' : 'invalid', reason };
      }
      const root = rootOf(xml, 'LogoutResponse');
      if (!root) return { ok: false, code: 'invalid', reason: 'not_logout_response' };
      if (childText(root, SAML_ASSERTION_NS, 'Issuer') !== idp.entityId) return { ok: false, code: 'invalid', reason: 'issuer' };
      if (root.getAttribute('Destination') !== sloUrl) return { ok: false, code: 'invalid', reason: 'destination' };
      if (!isFresh(root.getAttribute('IssueInstant'), logoutLifetimeMs)) return { ok: false, code: 'expired', reason: 'expired' };
      const inResponseTo = root.getAttribute('InResponseTo');
      // Exactly one answer per request: whoever deletes the row first proceeds.
      const request = inResponseTo ? await takeSamlLogoutRequest(db, inResponseTo) : undefined;
      if (!request || request.slo_url !== sloUrl) return { ok: false, code: 'expired', reason: 'unknown_request' };
      const status = firstChild(firstChild(root, SAML_PROTOCOL_NS, 'Status'), SAML_PROTOCOL_NS, 'StatusCode')?.getAttribute('Value');
      if (status !== SUCCESS) return { ok: false, code: 'refused', reason: 'idp_status' };
      return { ok: true };
    },

    async consumeLogoutRequest({ baseUrl, sloUrl, message }) {
      const idp = await options.identityProvider(baseUrl);
      if (!idp) return { ok: false, reason: 'not_configured' };
      const noCache: CacheProvider = { saveAsync: async () => null, getAsync: async () => null, removeAsync: async () => null };
      const saml = await logoutSamlFor(idp, sloUrl, idp.singleLogout?.url ?? idp.ssoUrl, message.binding, noCache);
      const xml = incomingXml(message, 'SAMLRequest');
      if (!xml) return { ok: false, reason: 'malformed' };
      let profile: Profile | null;
      try {
        if (message.binding === 'post') {
          ({ profile } = await saml.validatePostRequestAsync({ SAMLRequest: message.SAMLRequest! }));
        } else {
          if (!message.query.Signature || !message.query.SigAlg) return { ok: false, reason: 'signature' };
          ({ profile } = await saml.validateRedirectAsync(message.query, message.rawQuery));
        }
      } catch (error) {
        return { ok: false, reason: classify(error).reason };
      }
      const root = rootOf(xml, 'LogoutRequest');
      const id = root?.getAttribute('ID');
      if (!profile || !root || !id || !profile.nameID) return { ok: false, reason: 'malformed' };
      if (root.getAttribute('Destination') !== sloUrl) return { ok: false, reason: 'destination' };
      if (!isFresh(root.getAttribute('IssueInstant'), maxAssertionAgeMs)) return { ok: false, reason: 'expired' };
      if (!(await markAssertionUsed(db, `logout|${idp.entityId}|${id}`, new Date(Date.now() + maxAssertionAgeMs + 2 * clockSkewMs)))) {
        return { ok: false, reason: 'replayed' };
      }
      // Direct children of the signed element only (nothing from inside the signature).
      const sessionIndexes = children(root, SAML_PROTOCOL_NS, 'SessionIndex').map((e) => e.textContent?.trim() ?? '').filter((v) => v !== '');
      const relayState = message.binding === 'post' ? message.RelayState : message.query.RelayState;
      return {
        ok: true,
        subjectKey: subjectKey(idp.entityId, profile.nameID),
        sessionIndexes,
        async answer(success) {
          const slo = idp.singleLogout;
          if (!slo) return null;
          const answering = await logoutSamlFor(idp, sloUrl, slo.responseUrl, slo.binding, noCache);
          const request = { issuer: idp.entityId, nameID: profile.nameID, nameIDFormat: profile.nameIDFormat, ID: id };
          if (slo.binding === 'redirect') return { binding: 'redirect', url: await answering.getLogoutResponseUrlAsync(request, relayState ?? '', {}, success) };
          const signed = signSamlMessage(answering._generateLogoutResponse(request, success), await options.keys());
          const fields: Record<string, string> = { SAMLResponse: Buffer.from(signed, 'utf8').toString('base64') };
          if (relayState) fields.RelayState = relayState;
          return { binding: 'post', action: slo.responseUrl, fields };
        },
      };
    },

    async metadata(acsUrl, sloUrl) {
      const keys = await options.keys();
      const noCache: CacheProvider = { saveAsync: async () => null, getAsync: async () => null, removeAsync: async () => null };
      const saml = await samlFor({ entityId: '', ssoUrl: 'https://unused.invalid', certificates: [keys.certificatePem] }, acsUrl, { cache: noCache, sloUrl });
      // Encrypted assertions are accepted too (decrypted with the same key), so the certificate is offered for both uses.
      return saml.generateServiceProviderMetadata(keys.certificatePem, keys.certificatePem);
    },
  };

  async function checkAssertion(profile: Profile, request: SamlRequestRow, idp: IdentityProvider): Promise<SamlConsumeResult> {
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
    if (!profile.nameID) return { ok: false, code: 'invalid', reason: 'no_name_id' };
    const subject: SamlSubject = {
      nameId: profile.nameID, nameIdFormat: profile.nameIDFormat,
      ...(profile.nameQualifier ? { nameQualifier: profile.nameQualifier } : {}),
      ...(profile.spNameQualifier ? { spNameQualifier: profile.spNameQualifier } : {}),
      ...(profile.sessionIndex ? { sessionIndex: profile.sessionIndex } : {}),
    };
    return { ok: true, value: { identity, level, returnPath: request.return_path, subject, subjectKey: subjectKey(idp.entityId, subject.nameId) } };
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

const SAML_PROTOCOL_NS = 'urn:oasis:names:tc:SAML:2.0:protocol';
const SAML_ASSERTION_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';

/** The XML of a received message (HTTP-POST: base64; HTTP-Redirect: base64 of raw DEFLATE), or null. */
function incomingXml(message: IncomingSamlMessage, field: 'SAMLRequest' | 'SAMLResponse'): string | null {
  const encoded = message.binding === 'post' ? message[field] : message.query[field];
  if (!encoded) return null;
  try {
    const raw = Buffer.from(encoded, 'base64');
    return (message.binding === 'redirect' ? inflateRawSync(raw, { maxOutputLength: 256 * 1024 }) : raw).toString('utf8');
  } catch {
    return null;
  }
}

/** The root element if it is the SAML protocol element `localName`, else null. */
function rootOf(xml: string, localName: string): Element | null {
  const doc = new DOMParser({ errorHandler: { error: () => undefined, fatalError: () => undefined } }).parseFromString(xml, 'text/xml');
  const root = doc.documentElement;
  return root && root.localName === localName && root.namespaceURI === SAML_PROTOCOL_NS ? root : null;
}

function children(parent: Element | null | undefined, ns: string, localName: string): Element[] {
  if (!parent) return [];
  return Array.from(parent.childNodes).filter((n): n is Element => n.nodeType === 1 && (n as Element).localName === localName && (n as Element).namespaceURI === ns);
}

function firstChild(parent: Element | null | undefined, ns: string, localName: string): Element | null {
  return children(parent, ns, localName)[0] ?? null;
}

function childText(parent: Element, ns: string, localName: string): string | undefined {
  return firstChild(parent, ns, localName)?.textContent?.trim();
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
  if (/Bad status code/i.test(message)) return { code: 'cancelled', reason: 'idp_status' };
  if (/InResponseTo/i.test(message)) return { code: 'expired', reason: 'unknown_request' };
  if (/expired|not yet valid|too old|No valid subject confirmation/i.test(message)) return { code: 'expired', reason: 'expired' };
  if (/audience/i.test(message)) return { code: 'invalid', reason: 'audience' };
  if (/signature/i.test(message)) return { code: 'invalid', reason: 'signature' };
  if (/issuer/i.test(message)) return { code: 'invalid', reason: 'issuer' };
  return { code: 'invalid', reason: 'malformed' };
}
