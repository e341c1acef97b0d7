/**
 * The demo identity provider: its identity, key material (generated at first use, kept under
 * DATA_DIR/saml or in memory), metadata, and the parsing of incoming AuthnRequests.
 */
import { inflateRawSync } from 'node:zlib';
import { DOMParser } from '@xmldom/xmldom';
import { create } from 'xmlbuilder2';
import { certificateBody, loadOrCreateKeyMaterial, type KeyMaterial } from '../key-material.ts';
import type { IdentityProvider } from '../idp-metadata.ts';
import { levelOfAuthnContext, type TrustLevel } from '../saml-profile.ts';

export const DEMO_IDP_ENTITY_ID = 'urn:digitales-amt:demo-idp';
export const DEMO_IDP_SSO_PATH = '/demo-idp/sso';

export interface DemoIdp {
  keys(): Promise<KeyMaterial>;
  /** The identity provider as seen from a base URL (e.g. http://localhost:3000). */
  describe(baseUrl: string): Promise<IdentityProvider>;
  metadata(baseUrl: string): Promise<string>;
}

/** Creates the demo identity provider; key material is made (or read) at first use. */
export function createDemoIdp(keyDir: string | null): DemoIdp {
  let keys: Promise<KeyMaterial> | undefined;
  const getKeys = () => (keys ??= loadOrCreateKeyMaterial(keyDir, 'demo-idp', 'Digitales Amt Demo-IdP (Testdienst)'));
  return {
    keys: getKeys,
    async describe(baseUrl) {
      return { entityId: DEMO_IDP_ENTITY_ID, ssoUrl: `${baseUrl}${DEMO_IDP_SSO_PATH}`, certificates: [(await getKeys()).certificatePem] };
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
