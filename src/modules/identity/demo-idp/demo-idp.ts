/**
 * The demo identity provider: its identity, key material (generated at first use, kept under
 * DATA_DIR/saml or in memory), metadata, the parsing of incoming AuthnRequests, and its sessions
 * (ended by single logout).
 */
import { inflateRawSync } from 'node:zlib';
import { DOMParser } from '@xmldom/xmldom';
import { create } from 'xmlbuilder2';
import { certificateBody, loadOrCreateKeyMaterial, type KeyMaterial } from '../key-material.ts';
import type { IdentityProvider } from '../idp-metadata.ts';
import { levelOfAuthnContext, type TrustLevel } from '../saml-profile.ts';

export const DEMO_IDP_ENTITY_ID = 'urn:digitales-amt:demo-idp';
export const DEMO_IDP_SSO_PATH = '/demo-idp/sso';
export const DEMO_IDP_SLO_PATH = '/demo-idp/slo';

/** A login the demo identity provider asserted: its session there, until a logout ends it. */
export interface DemoIdpSession {
  /** The browser it was made in (the demo identity provider's own cookie). */
  browserId: string;
  personId: string;
  nameId: string;
  sessionIndex: string;
  /** The service provider it was asserted to. */
  spEntityId: string;
  createdAt: number;
}

/** Sessions older than this are forgotten (the portal's sessions last 12 hours). */
const SESSION_LIFETIME_MS = 12 * 60 * 60_000;
const MAX_SESSIONS = 10_000;

export interface DemoIdp {
  keys(): Promise<KeyMaterial>;
  /** The identity provider as seen from a base URL (e.g. http://localhost:3000). */
  describe(baseUrl: string): Promise<IdentityProvider>;
  metadata(baseUrl: string): Promise<string>;
  /**
   * The demo identity provider's sessions, in memory (a single-instance test service): recorded at
   * each login it asserts, ended by a logout from the service provider or started here.
   */
  sessions: {
    add(session: Omit<DemoIdpSession, 'createdAt'>): void;
    ofBrowser(browserId: string): DemoIdpSession[];
    /** Ends the sessions with this NameID (and, if given, these session indexes); returns how many. */
    end(nameId: string, sessionIndexes: readonly string[]): number;
    /** Ends one session of this browser and returns it. */
    take(browserId: string, sessionIndex: string): DemoIdpSession | undefined;
  };
}

/** Creates the demo identity provider; key material is made (or read) at first use. */
export function createDemoIdp(keyDir: string | null): DemoIdp {
  let keys: Promise<KeyMaterial> | undefined;
  const getKeys = () => (keys ??= loadOrCreateKeyMaterial(keyDir, 'demo-idp', 'Digitales Amt Demo-IdP (Testdienst)'));
  let sessions: DemoIdpSession[] = [];
  const current = () => {
    const oldest = Date.now() - SESSION_LIFETIME_MS;
    sessions = sessions.filter((s) => s.createdAt > oldest).slice(-MAX_SESSIONS);
    return sessions;
  };
  return {
    keys: getKeys,
    async describe(baseUrl) {
      const sloUrl = `${baseUrl}${DEMO_IDP_SLO_PATH}`;
      return {
        entityId: DEMO_IDP_ENTITY_ID, ssoUrl: `${baseUrl}${DEMO_IDP_SSO_PATH}`, certificates: [(await getKeys()).certificatePem],
        singleLogout: { binding: 'post', url: sloUrl, responseUrl: sloUrl },
      };
    },
    sessions: {
      add(session) {
        current().push({ ...session, createdAt: Date.now() });
      },
      ofBrowser: (browserId) => current().filter((s) => s.browserId === browserId),
      end(nameId, sessionIndexes) {
        const before = current().length;
        sessions = sessions.filter((s) => s.nameId !== nameId || (sessionIndexes.length > 0 && !sessionIndexes.includes(s.sessionIndex)));
        return before - sessions.length;
      },
      take(browserId, sessionIndex) {
        const found = current().find((s) => s.browserId === browserId && s.sessionIndex === sessionIndex);
        if (found) sessions = sessions.filter((s) => s !== found);
        return found;
      },
    },
    async metadata(baseUrl) {
      const cert = certificateBody((await getKeys()).certificatePem);
      const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
      const doc = create();
      const idp = doc.ele(MD, 'md:EntityDescriptor', { entityID: DEMO_IDP_ENTITY_ID })
        .ele(MD, 'md:IDPSSODescriptor', { WantAuthnRequestsSigned: 'false', protocolSupportEnumeration: 'urn:oasis:names:tc:SAML:2.0:protocol' });
      idp.ele(MD, 'md:KeyDescriptor', { use: 'signing' })
        .ele('http://www.w3.org/2000/09/xmldsig#', 'ds:KeyInfo').ele('http://www.w3.org/2000/09/xmldsig#', 'ds:X509Data')
        .ele('http://www.w3.org/2000/09/xmldsig#', 'ds:X509Certificate').txt(cert);
      // Single logout in the HTTP-POST binding, as BundID.
      idp.ele(MD, 'md:SingleLogoutService', { Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST', Location: `${baseUrl}${DEMO_IDP_SLO_PATH}` });
      for (const binding of ['HTTP-POST', 'HTTP-Redirect']) {
        idp.ele(MD, 'md:SingleSignOnService', { Binding: `urn:oasis:names:tc:SAML:2.0:bindings:${binding}`, Location: `${baseUrl}${DEMO_IDP_SSO_PATH}` });
      }
      return doc.end({ headless: false, prettyPrint: true });
    },
  };
}

export interface ParsedAuthnRequest {
  id: string;
  issuer: string;
  acsUrl: string;
  requestedLevel: TrustLevel;
}

const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';
const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';

/**
 * Reads an AuthnRequest (HTTP-POST: base64; HTTP-Redirect: base64 of raw DEFLATE). Returns null
 * when it is not a well-formed AuthnRequest with ID, Issuer and AssertionConsumerServiceURL.
 */
export function parseAuthnRequest(encoded: string, binding: 'post' | 'redirect'): ParsedAuthnRequest | null {
  let xml: string;
  try {
    const raw = Buffer.from(encoded, 'base64');
    xml = (binding === 'redirect' ? inflateRawSync(raw, { maxOutputLength: 256 * 1024 }) : raw).toString('utf8');
  } catch {
    return null;
  }
  const errors: string[] = [];
  const doc = new DOMParser({ errorHandler: { error: (m) => errors.push(m), fatalError: (m) => errors.push(m) } }).parseFromString(xml, 'text/xml');
  const root = doc.documentElement;
  if (errors.length > 0 || !root || root.localName !== 'AuthnRequest' || root.namespaceURI !== SAMLP) return null;
  const id = root.getAttribute('ID');
  const acsUrl = root.getAttribute('AssertionConsumerServiceURL');
  const issuer = root.getElementsByTagNameNS(SAML, 'Issuer')[0]?.textContent?.trim();
  if (!id || !acsUrl || !issuer) return null;
  const classRef = root.getElementsByTagNameNS(SAML, 'AuthnContextClassRef')[0]?.textContent ?? undefined;
  return { id, issuer, acsUrl, requestedLevel: levelOfAuthnContext(classRef) ?? 'niedrig' };
}
