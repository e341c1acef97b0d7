/**
 * Prefill from the identity: what the identity provider asserted, in the shape the form engine's
 * `applyPrefill` takes (it splits the house number off BundID's one-line street). Used only with the applicant's consent; the step pages mark these fields
 * as taken from the account.
 */
import type { PrefillValues } from '../forms/index.ts';
import type { CitizenProfile } from '../identity/index.ts';

/** The profile as prefill values (attributes the identity did not assert are left out). */
export function prefillValuesOf(profile: CitizenProfile): PrefillValues {
  const values: PrefillValues = {};
  if (profile.givenName) values.givenName = profile.givenName;
  if (profile.familyName) values.familyName = profile.familyName;
  if (profile.birthDate && /^\d{4}-\d{2}-\d{2}$/.test(profile.birthDate)) values.birthDate = profile.birthDate;
  if (profile.email) values.email = profile.email;
  const a = profile.address;
  if (a && (a.street || a.locality)) {
    values.address = { street: a.street ?? '', postcode: a.postalCode ?? '', city: a.locality ?? '', country: a.country ?? 'DE' };
  }
  return values;
}
