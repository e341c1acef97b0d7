import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseIdpMetadata } from './idp-metadata.ts';

const CERT = 'MIIB'.padEnd(300, 'A');
const metadata = (slo: string) => `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example/saml">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${CERT}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    ${slo}
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;
const REDIRECT = '<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example/slo-redirect"/>';
const POST = '<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example/slo" ResponseLocation="https://idp.example/slo-response"/>';

test('the single logout endpoint is read from the metadata: HTTP-POST preferred (as BundID), else HTTP-Redirect, else none', () => {
  assert.deepEqual(parseIdpMetadata(metadata(REDIRECT + POST)).singleLogout, { binding: 'post', url: 'https://idp.example/slo', responseUrl: 'https://idp.example/slo-response' });
  assert.deepEqual(parseIdpMetadata(metadata(REDIRECT)).singleLogout, { binding: 'redirect', url: 'https://idp.example/slo-redirect', responseUrl: 'https://idp.example/slo-redirect' });
  assert.equal(parseIdpMetadata(metadata('')).singleLogout, null);
});
