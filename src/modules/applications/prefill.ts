/**
 * Prefill from the identity: what the identity provider asserted, in the shape the form engine's
 * `applyPrefill` takes. Used only with the applicant's consent; the step pages mark these fields
 * as taken from the account.
 */
import type { PrefillValues } from '../forms/index.ts';
import type { CitizenProfile } from '../identity/index.ts';

/** "Thomas-Mann-Straße 3a" -> street and house number; the whole line as street when no number ends it. */
export function splitStreetLine(line: string): { street: string; houseNumber: string } {
  const match = /^(.*?\S)\s+(\d+\s?[a-zA-Z]?(?:\s?[-/]\s?\d+\s?[a-zA-Z]?)?)$/.exec(line.trim());
  return match ? { street: match[1] ?? '', houseNumber: (match[2] ?? '').replace(/\s+/g, '') } : { street: line.trim(), houseNumber: '' };
}

/** The profile as prefill values (attributes the identity did not assert are left out). */
export function prefillValuesOf(profile: CitizenProfile): PrefillValues {
  const values: PrefillValues = {};
  if (profile.givenName) values.givenName = profile.givenName;
  if (profile.familyName) values.familyName = profile.familyName;
  if (profile.birthDate && /^\d{4}-\d{2}-\d{2}$/.test(profile.birthDate)) values.birthDate = profile.birthDate;
  if (profile.email) values.email = profile.email;
  const a = profile.address;
  if (a && (a.street || a.locality)) {
    values.address = { ...splitStreetLine(a.street ?? ''), postcode: a.postalCode ?? '', city: a.locality ?? '', country: a.country ?? 'DE' };
  }
  return values;
}
