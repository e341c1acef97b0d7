/**
 * A citizen's identity was asserted: create or update the account (keyed by a keyed hash of the
 * bPK2 pseudonym, personal data encrypted) and audit the login without personal data.
 */
import { createHmac, hkdfSync } from 'node:crypto';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { FieldCipher } from '../../platform/crypto/field-encryption.ts';
import type { Db } from '../../platform/db/database.ts';
import { upsertCitizenAccount } from './identity.repository.ts';
import { addMember, countMembers, upsertOrganisation } from './organisation.repository.ts';
import type { TrustLevel } from './saml-profile.ts';
import type { AssertedIdentity } from './service-provider.ts';

/** The key for bPK2 hashes, derived from the data encryption key (HKDF), so that one secret serves both and neither reveals the other. */
export function deriveBpk2Key(encryptionKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', encryptionKey, Buffer.alloc(0), 'digitales-amt/citizen-bpk2/v1', 32));
}

/** The key for the keyed hash of SAML NameIDs (finding a login's sessions at a logout from the identity provider). */
export function deriveSamlSubjectKey(encryptionKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', encryptionKey, Buffer.alloc(0), 'digitales-amt/saml-subject/v1', 32));
}

/** HMAC-SHA256 of the bPK2: stable per person, useless without the key. */
export function hashBpk2(key: Buffer, bpk2: string): string {
  return createHmac('sha256', key).update(bpk2, 'utf8').digest('hex');
}

/** The postal address as stored (one encrypted JSON value). */
export interface CitizenAddress {
  street: string | null;
  postalCode: string | null;
  locality: string | null;
  country: string | null;
}

export interface LogInCitizenDeps {
  db: Db;
  cipher: FieldCipher;
  bpk2Key: Buffer;
}

/**
 * Creates or updates the account; returns its id. With an asserted organisation (business account)
 * the organisation is created or updated too, and the person becomes a member: the first one as
 * administrator, later ones as members (the identity provider vouches that they may act for it);
 * its id is returned as the organisation to act for.
 */
export async function logInCitizen(deps: LogInCitizenDeps, identity: AssertedIdentity, level: TrustLevel, requestId: string, method: 'saml' | 'oidc' = 'saml'): Promise<{ accountId: string; organisationId: string | null }> {
  const { cipher } = deps;
  const address: CitizenAddress = { street: identity.street, postalCode: identity.postalCode, locality: identity.locality, country: identity.country };
  const hasAddress = Object.values(address).some((v) => v !== null);
  return deps.db.transaction().execute(async (tx) => {
    const account = await upsertCitizenAccount(tx, {
      bpk2Hash: hashBpk2(deps.bpk2Key, identity.bpk2),
      givenNameEnc: cipher.encryptOptional(identity.givenName),
      familyNameEnc: cipher.encryptOptional(identity.familyName),
      addressEnc: hasAddress ? cipher.encrypt(JSON.stringify(address)) : null,
      birthDateEnc: cipher.encryptOptional(identity.birthDate),
      emailEnc: cipher.encryptOptional(identity.email),
      trustLevel: level,
    });
    await recordAudit(tx, {
      actorType: 'citizen', actorId: account.id, action: 'citizen.login',
      subjectType: 'citizen_account', subjectId: account.id,
      details: { level, method, created: account.created, organisation: identity.organisation !== null }, requestId,
    });
    let organisationId: string | null = null;
    if (identity.organisation) {
      const org = identity.organisation;
      const orgAddress = { street: org.street, postalCode: org.postalCode, locality: org.locality, country: org.country };
      organisationId = await upsertOrganisation(tx, {
        externalIdHash: hashBpk2(deps.bpk2Key, `organisation:${org.id}`),
        nameEnc: cipher.encrypt(org.name),
        addressEnc: Object.values(orgAddress).some((v) => v !== null) ? cipher.encrypt(JSON.stringify(orgAddress)) : null,
      });
      const first = (await countMembers(tx, organisationId)) === 0;
      await addMember(tx, organisationId, account.id, first ? 'administrator' : 'member');
    }
    return { accountId: account.id, organisationId };
  });
}
