/**
 * Enveloped XML signature of a SAML protocol message for the HTTP-POST binding (RSA-SHA256,
 * exclusive canonicalisation, the signature right after the message's Issuer as the schema wants),
 * made with xml-crypto as node-saml signs its POST messages. Used for the logout messages of the
 * service provider and of the demo identity provider.
 */
import { SignedXml } from 'xml-crypto';
import type { KeyMaterial } from './key-material.ts';

/** Signs the root element (e.g. LogoutRequest, LogoutResponse) of `xml`, which must carry an ID and an Issuer. */
export function signSamlMessage(xml: string, keys: KeyMaterial): string {
  const signer = new SignedXml({
    privateKey: keys.privateKeyPem,
    publicCert: keys.certificatePem,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  signer.addReference({
    xpath: '/*',
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
  });
  signer.computeSignature(xml, { prefix: 'ds', location: { reference: "/*/*[local-name(.)='Issuer']", action: 'after' } });
  return signer.getSignedXml();
}
