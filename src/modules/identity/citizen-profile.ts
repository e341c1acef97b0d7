/**
 * What the identity provider asserted about a citizen, decrypted, for prefilling forms with the
 * citizen's consent. Only the account's owner's requests may call this.
 */
import type { FieldCipher } from '../../platform/crypto/field-encryption.ts';
import type { Db } from '../../platform/db/database.ts';
import { findCitizenAccount } from './identity.repository.ts';
import type { CitizenAddress } from './log-in-citizen.ts';

export interface CitizenProfile {
  givenName: string | null;
  familyName: string | null;
  /** ISO date yyyy-mm-dd, as asserted. */
  birthDate: string | null;
  address: CitizenAddress | null;
  email: string | null;
}

/** The decrypted identity data of an account, or undefined when the account is gone. */
export async function loadCitizenProfile(db: Db, cipher: FieldCipher, accountId: string): Promise<CitizenProfile | undefined> {
  const account = await findCitizenAccount(db, accountId);
  if (!account) return undefined;
  return {
    givenName: cipher.decryptOptional(account.given_name_enc),
    familyName: cipher.decryptOptional(account.family_name_enc),
    birthDate: cipher.decryptOptional(account.birth_date_enc),
    address: account.address_enc ? JSON.parse(cipher.decrypt(account.address_enc)) as CitizenAddress : null,
    email: cipher.decryptOptional(account.email_enc),
  };
}
