/**
 * The demo identity provider's SAML Response: built with xmlbuilder2, the assertion signed with
 * xml-crypto (enveloped RSA-SHA256 signature, exclusive canonicalisation), as BundID answers.
 * Tests build altered responses (another audience, an expired window) with the same code.
 */
import { randomUUID } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import { create } from 'xmlbuilder2';
import type { KeyMaterial } from '../key-material.ts';
import { AUTHN_CONTEXT, OID, ORG_ATTRIBUTE, type TrustLevel } from '../saml-profile.ts';
import type { TestOrganisation, TestPerson } from './test-persons.ts';

const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';
const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const XS = 'http://www.w3.org/2001/XMLSchema';

export interface ResponseInput {
  idpEntityId: string;
  /** The service provider's entity id: the assertion's audience. */
  audience: string;
  /** The assertion consumer URL: the response's Destination and the confirmation's Recipient. */
  acsUrl: string;
  /** The AuthnRequest's ID. */
  inResponseTo: string;
  person: TestPerson;
  /** The organisation the person acts for (business account), if any. */
  organisation?: TestOrganisation | null;
  level: TrustLevel;
  /** The moment of issue (default: now). */
  now?: Date;
  /** How long the assertion may be used (default: five minutes). */
  lifetimeMs?: number;
  /** The subject's NameID (transient) and the session index (default: fresh ones). */
  nameId?: string;
  sessionIndex?: string;
}

/** A fresh SAML identifier (must start with a letter: xs:ID). */
export function newSamlId(): string {
  return `_${randomUUID()}`;
}

/** The attributes BundID releases for a person, by OID (absent values are left out). */
function attributesOf(person: TestPerson, level: TrustLevel, org: TestOrganisation | null): [string, string, string][] {
  const all: [string, string, string | undefined][] = [
    [OID.bpk2, 'bPK2', person.bpk2],
    [OID.givenName, 'givenName', person.givenname],
    [OID.surname, 'surname', person.surname],
    [OID.birthdate, 'birthdate', person.birthdate],
    [OID.placeOfBirth, 'placeOfBirth', person.placeOfBirth],
    [OID.birthName, 'birthName', person.birthName],
    [OID.postalAddress, 'postalAddress', person.postalAddress],
    [OID.postalCode, 'postalCode', person.postalCode],
    [OID.localityName, 'localityName', person.localityName],
    [OID.country, 'Country', person.country],
    [OID.mail, 'mail', person.mail],
    [OID.personalTitle, 'personalTitle', person.personalTitle],
    [OID.eidCitizenQaaLevel, 'EID-CITIZEN-QAA-LEVEL', AUTHN_CONTEXT[level]],
    [ORG_ATTRIBUTE.id, 'organisationId', org?.id],
    [ORG_ATTRIBUTE.name, 'organisationName', org?.name],
    [ORG_ATTRIBUTE.street, 'organisationStreet', org?.street],
    [ORG_ATTRIBUTE.postalCode, 'organisationPostalCode', org?.postalCode],
    [ORG_ATTRIBUTE.locality, 'organisationLocality', org?.locality],
    [ORG_ATTRIBUTE.country, 'organisationCountry', org?.country],
  ];
  return all.filter((a): a is [string, string, string] => a[2] !== undefined && a[2] !== '');
}

/** Builds the Response XML and signs its assertion with the identity provider's key. */
export function buildSignedResponse(input: ResponseInput, key: KeyMaterial): string {
  const now = input.now ?? new Date();
  const notOnOrAfter = new Date(now.getTime() + (input.lifetimeMs ?? 5 * 60_000)).toISOString();
  const notBefore = new Date(now.getTime() - 30_000).toISOString();
  const instant = now.toISOString();
  const assertionId = newSamlId();

  const doc = create();
  const response = doc.ele(SAMLP, 'samlp:Response', {
    'xmlns:saml': SAML, ID: newSamlId(), Version: '2.0', IssueInstant: instant, Destination: input.acsUrl, InResponseTo: input.inResponseTo,
  });
  response.ele(SAML, 'saml:Issuer').txt(input.idpEntityId);
  response.ele(SAMLP, 'samlp:Status').ele(SAMLP, 'samlp:StatusCode', { Value: 'urn:oasis:names:tc:SAML:2.0:status:Success' });
  const assertion = response.ele(SAML, 'saml:Assertion', { 'xmlns:xsi': XSI, 'xmlns:xs': XS, ID: assertionId, Version: '2.0', IssueInstant: instant });
  assertion.ele(SAML, 'saml:Issuer').txt(input.idpEntityId);
  const subject = assertion.ele(SAML, 'saml:Subject');
  subject.ele(SAML, 'saml:NameID', { Format: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient' }).txt(input.nameId ?? newSamlId());
  subject.ele(SAML, 'saml:SubjectConfirmation', { Method: 'urn:oasis:names:tc:SAML:2.0:cm:bearer' })
    .ele(SAML, 'saml:SubjectConfirmationData', { InResponseTo: input.inResponseTo, NotOnOrAfter: notOnOrAfter, Recipient: input.acsUrl });
  assertion.ele(SAML, 'saml:Conditions', { NotBefore: notBefore, NotOnOrAfter: notOnOrAfter })
    .ele(SAML, 'saml:AudienceRestriction').ele(SAML, 'saml:Audience').txt(input.audience);
  assertion.ele(SAML, 'saml:AuthnStatement', { AuthnInstant: instant, SessionIndex: input.sessionIndex ?? newSamlId() })
    .ele(SAML, 'saml:AuthnContext').ele(SAML, 'saml:AuthnContextClassRef').txt(AUTHN_CONTEXT[input.level]);
  const statement = assertion.ele(SAML, 'saml:AttributeStatement');
  for (const [name, friendlyName, value] of attributesOf(input.person, input.level, input.organisation ?? null)) {
    statement.ele(SAML, 'saml:Attribute', { Name: name, FriendlyName: friendlyName, NameFormat: 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri' })
      .ele(SAML, 'saml:AttributeValue', { 'xsi:type': 'xs:string' }).txt(value);
  }
  const xml = doc.end({ headless: true });

  const signer = new SignedXml({
    privateKey: key.privateKeyPem,
    publicCert: key.certificatePem,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  signer.addReference({
    xpath: `//*[local-name(.)='Assertion' and @ID='${assertionId}']`,
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
  });
  // The schema puts the signature right after the assertion's Issuer.
  signer.computeSignature(xml, {
    prefix: 'ds',
    location: { reference: `//*[local-name(.)='Assertion']/*[local-name(.)='Issuer']`, action: 'after' },
  });
  return signer.getSignedXml();
}
