/**
 * "Download my data" (GDPR Art. 15 and 20): every module that keeps data about a citizen account
 * registers a section; the export asks each for the account's data, decrypted. A section may also
 * say what happens to its data when the account is deleted (erase inside the deletion transaction).
 */
import type { FieldCipher } from '../../platform/crypto/field-encryption.ts';
import type { Db, Tx } from '../../platform/db/database.ts';

/** A JSON value: what a section gives for the export (rendered as nested lists on the HTML page). */
export type PersonalDataValue = string | number | boolean | null | Date | PersonalDataValue[] | { [key: string]: PersonalDataValue };

export interface PersonalDataContext {
  db: Db;
  cipher: FieldCipher;
  accountId: string;
}

/** Loads what a module holds about the account (decrypted); null or an empty list when nothing. */
export type PersonalDataLoader = (ctx: PersonalDataContext) => Promise<PersonalDataValue>;

export interface PersonalDataSectionOptions {
  /**
   * Runs in the account deletion's transaction: remove or anonymise this module's personal data of
   * the account. Leave out for data the law makes the authority keep (say so in the section's data).
   */
  erase?(tx: Tx, accountId: string): Promise<void>;
}

interface Section { name: string; loader: PersonalDataLoader; options: PersonalDataSectionOptions }

const sections = new Map<string, Section>();

/**
 * Registers a section of the data export under a stable name (e.g. "applications"). Registering a
 * name again replaces the section (modules register at start; tests build several apps).
 * @throws when the name is not a lower-case identifier.
 */
export function registerPersonalDataSection(name: string, loader: PersonalDataLoader, options: PersonalDataSectionOptions = {}): void {
  if (!/^[a-z][a-z0-9-]{0,40}$/.test(name)) throw new Error(`personal data section name "${name}" must be a lower-case identifier`);
  sections.set(name, { name, loader, options });
}

/** Every section's data for the account, in registration order. */
export async function collectPersonalData(ctx: PersonalDataContext): Promise<{ name: string; data: PersonalDataValue }[]> {
  const out: { name: string; data: PersonalDataValue }[] = [];
  for (const section of sections.values()) out.push({ name: section.name, data: await section.loader(ctx) });
  return out;
}

/** Runs every section's eraser in the deletion transaction. */
export async function eraseRegisteredPersonalData(tx: Tx, accountId: string): Promise<void> {
  for (const section of sections.values()) await section.options.erase?.(tx, accountId);
}
