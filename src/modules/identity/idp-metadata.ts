/**
 * The identity provider as the service provider knows it: entity id, single sign-on URL (HTTP-POST
 * binding) and signing certificates, read from its SAML metadata (a file or an https URL). The
 * metadata source is trusted as configured (a file deployed by the operator, or https).
 */
import { readFile } from 'node:fs/promises';
import { DOMParser } from '@xmldom/xmldom';

export interface IdentityProvider {
  entityId: string;
  /** Where AuthnRequests are posted (HTTP-POST binding). */
  ssoUrl: string;
  /** PEM certificates whose keys may sign responses and assertions. */
  certificates: string[];
  /** Where logout messages go (SingleLogoutService), if the identity provider offers single logout. */
  singleLogout?: SingleLogoutService | null;
}

/**
 * The identity provider's single logout endpoint: HTTP-POST when offered (as BundID uses it), else
 * HTTP-Redirect. LogoutRequests go to `url`, LogoutResponses to `responseUrl` (ResponseLocation, or
 * the same URL).
 */
export interface SingleLogoutService {
  binding: 'post' | 'redirect';
  url: string;
  responseUrl: string;
}

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const POST_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
const REDIRECT_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

/** Turns the base64 body of an X509Certificate element into PEM. */
function toPem(body: string): string {
  const clean = body.replace(/\s+/g, '');
  return `-----BEGIN CERTIFICATE-----\n${clean.match(/.{1,64}/g)?.join('\n') ?? ''}\n-----END CERTIFICATE-----\n`;
}

/** Reads an identity provider from its metadata XML. @throws when a required part is missing or the XML is malformed. */
export function parseIdpMetadata(xml: string): IdentityProvider {
  const errors: string[] = [];
  const doc = new DOMParser({ errorHandler: { error: (m) => errors.push(m), fatalError: (m) => errors.push(m) } }).parseFromString(xml, 'text/xml');
  if (errors.length > 0 || !doc.documentElement) throw new Error('IdP metadata is not well-formed XML');
  const entity = doc.documentElement.localName === 'EntityDescriptor' && doc.documentElement.namespaceURI === MD
    ? doc.documentElement
    : doc.getElementsByTagNameNS(MD, 'EntityDescriptor')[0];
  const entityId = entity?.getAttribute('entityID');
  const descriptor = entity?.getElementsByTagNameNS(MD, 'IDPSSODescriptor')[0];
  if (!entity || !entityId || !descriptor) throw new Error('IdP metadata has no EntityDescriptor with entityID and IDPSSODescriptor');
  const sso = Array.from(descriptor.getElementsByTagNameNS(MD, 'SingleSignOnService')).find((s) => s.getAttribute('Binding') === POST_BINDING);
  const ssoUrl = sso?.getAttribute('Location');
  if (!ssoUrl) throw new Error('IdP metadata has no SingleSignOnService with the HTTP-POST binding');
  const certificates: string[] = [];
  for (const key of Array.from(descriptor.getElementsByTagNameNS(MD, 'KeyDescriptor'))) {
    const use = key.getAttribute('use');
    if (use && use !== 'signing') continue;
    for (const cert of Array.from(key.getElementsByTagNameNS(DS, 'X509Certificate'))) {
      if (cert.textContent?.trim()) certificates.push(toPem(cert.textContent));
    }
  }
  if (certificates.length === 0) throw new Error('IdP metadata has no signing certificate');
  const slo = Array.from(descriptor.getElementsByTagNameNS(MD, 'SingleLogoutService'));
  const sloOf = (binding: string, name: SingleLogoutService['binding']): SingleLogoutService | null => {
    const service = slo.find((s) => s.getAttribute('Binding') === binding && s.getAttribute('Location'));
    const url = service?.getAttribute('Location');
    return service && url ? { binding: name, url, responseUrl: service.getAttribute('ResponseLocation') || url } : null;
  };
  return { entityId, ssoUrl, certificates, singleLogout: sloOf(POST_BINDING, 'post') ?? sloOf(REDIRECT_BINDING, 'redirect') };
}

/** Loads metadata from an https (or, outside production, http) URL or a file path. @throws when it cannot be loaded or parsed. */
export async function loadIdpMetadata(source: string): Promise<IdentityProvider> {
  if (/^https?:\/\//.test(source)) {
    const response = await fetch(source, { signal: AbortSignal.timeout(10_000), headers: { accept: 'application/samlmetadata+xml, application/xml, text/xml' } });
    if (!response.ok) throw new Error(`IdP metadata answered ${response.status}`);
    return parseIdpMetadata(await response.text());
  }
  return parseIdpMetadata(await readFile(source, 'utf8'));
}
