/**
 * The name of an applicant as the authority addresses them: the person's name from the identity,
 * or the organisation's name when the person acted for a business account.
 */
import type { FieldCipher } from '../../platform/crypto/field-encryption.ts';
import type { Db, Tx } from '../../platform/db/database.ts';
import { loadCitizenProfile } from './citizen-profile.ts';
import { findOrganisationNameEnc } from './organisation.repository.ts';

/** The applicant's name, or null when the account is gone or carries no name. */
export async function applicantName(db: Db | Tx, cipher: FieldCipher, owner: { accountId: string | null; organisationId: string | null }): Promise<string | null> {
  return (await applicantContact(db, cipher, owner)).name;
}

/**
 * The applicant's name and the e-mail address of the person who acted (for a business account:
 * the organisation's name and the acting person's address), read once where both are needed.
 */
export async function applicantContact(db: Db | Tx, cipher: FieldCipher, owner: { accountId: string | null; organisationId: string | null }): Promise<{ name: string | null; email: string | null }> {
  const organisationNameEnc = owner.organisationId ? await findOrganisationNameEnc(db, owner.organisationId) : undefined;
  const profile = owner.accountId ? await loadCitizenProfile(db as Db, cipher, owner.accountId) : undefined;
  const personName = [profile?.givenName, profile?.familyName].filter(Boolean).join(' ') || null;
  return { name: organisationNameEnc ? cipher.decrypt(organisationNameEnc) : personName, email: profile?.email ?? null };
}
