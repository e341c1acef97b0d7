/**
 * The BundID/BayernID SAML profile: trust levels and their authentication context classes,
 * attribute OIDs, and the requested-attributes extension (namespace https://www.akdb.de/request/2018/09).
 */
import type { TrustLevel } from '../../platform/db/schema.ts';

export type { TrustLevel };

export const TRUST_LEVELS: readonly TrustLevel[] = ['niedrig', 'substantiell', 'hoch'];

/** The authentication context class requested (Comparison="minimum") and asserted for each level. */
export const AUTHN_CONTEXT: Record<TrustLevel, string> = {
  niedrig: 'STORK-QAA-Level-1',
  substantiell: 'STORK-QAA-Level-3',
  hoch: 'STORK-QAA-Level-4',
};

/** Narrows a query or form value to a trust level, or undefined. */
export function parseTrustLevel(value: unknown): TrustLevel | undefined {
  return TRUST_LEVELS.find((l) => l === value);
}

/** The level an authentication context class stands for; STORK-QAA-Level-2 counts as niedrig. */
export function levelOfAuthnContext(classRef: string | undefined): TrustLevel | undefined {
  switch (classRef?.trim()) {
    case 'STORK-QAA-Level-1': case 'STORK-QAA-Level-2': return 'niedrig';
    case 'STORK-QAA-Level-3': return 'substantiell';
    case 'STORK-QAA-Level-4': return 'hoch';
    default: return undefined;
  }
}

/** True when `actual` is at least `required`. */
export function meetsLevel(actual: TrustLevel, required: TrustLevel): boolean {
  return TRUST_LEVELS.indexOf(actual) >= TRUST_LEVELS.indexOf(required);
}

/** Attribute names (all `urn:oid:`) of the BundID profile that this portal uses. */
export const OID = {
  surname: 'urn:oid:2.5.4.4',
  givenName: 'urn:oid:2.5.4.42',
  mail: 'urn:oid:0.9.2342.19200300.100.1.3',
  postalAddress: 'urn:oid:2.5.4.16',
  postalCode: 'urn:oid:2.5.4.17',
  localityName: 'urn:oid:2.5.4.7',
  country: 'urn:oid:1.2.40.0.10.2.1.1.225599',
  birthdate: 'urn:oid:1.2.40.0.10.2.1.1.55',
  placeOfBirth: 'urn:oid:1.3.6.1.5.5.7.9.2',
  birthName: 'urn:oid:1.2.40.0.10.2.1.1.225566',
  personalTitle: 'urn:oid:0.9.2342.19200300.100.1.40',
  bpk2: 'urn:oid:1.3.6.1.4.1.25484.494450.3',
  eidCitizenQaaLevel: 'urn:oid:1.2.40.0.10.2.1.1.261.94',
  assertionProvedBy: 'urn:oid:1.3.6.1.4.1.25484.494450.2',
  eidasIssuingCountry: 'urn:oid:1.3.6.1.4.1.25484.494450.10.1',
} as const;

/**
 * An attribute name in canonical form: published lists carry stray whitespace after "urn:oid:"
 * (e.g. "urn:oid: 0.9.2342.19200300.100.1.40"), which must not make an attribute unknown.
 */
export function normaliseAttributeName(name: string): string {
  return name.replace(/\s+/g, '');
}

/** The attributes requested in every AuthnRequest (as in the BundID example request). */
export const REQUESTED_ATTRIBUTES: readonly string[] = [
  OID.country, OID.eidasIssuingCountry, OID.eidCitizenQaaLevel, OID.localityName, OID.postalAddress,
  OID.assertionProvedBy, OID.surname, OID.placeOfBirth, OID.postalCode, OID.personalTitle, OID.birthdate,
  OID.givenName, OID.birthName, OID.mail, OID.bpk2,
];

/**
 * Attributes of the organisation a person acts for (business account). BundID's business accounts
 * come from ELSTER ("Mein Unternehmenskonto"); their attribute names are not public, so this portal
 * reads these names, which a broker maps to (and the demo identity provider sends).
 */
export const ORG_ATTRIBUTE = {
  id: 'urn:digitales-amt:attribute:organisation:id',
  name: 'urn:digitales-amt:attribute:organisation:name',
  street: 'urn:digitales-amt:attribute:organisation:street',
  postalCode: 'urn:digitales-amt:attribute:organisation:postal-code',
  locality: 'urn:digitales-amt:attribute:organisation:locality',
  country: 'urn:digitales-amt:attribute:organisation:country',
} as const;

export const AKDB_NAMESPACE = 'https://www.akdb.de/request/2018/09';
