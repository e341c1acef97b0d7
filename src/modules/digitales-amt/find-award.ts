/**
 * The distinction as other modules show it (the municipality page).
 */
import type { Db } from '../../platform/db/database.ts';
import type { Locale } from '../../platform/i18n/i18n.ts';
import { formatDay, isoDay } from './digitales-amt.format.ts';
import { findHolder } from './digitales-amt.repository.ts';

export interface Award {
  /** Services with an active online procedure now. */
  procedureCount: number;
  qualifiedAt: Date;
  confirmedAt: Date | null;
  /** The day it was awarded, for the locale ("15. Januar 2026"). */
  since: string;
  /** The same day as "2026-01-15", for `<time datetime>`. */
  sinceIso: string;
}

/**
 * The Digitales Amt distinction of the municipality with this AGS, when its tenant is connected and
 * currently holds it (see `digitales-amt.rules.ts`); otherwise undefined.
 */
export async function findAward(db: Db, ags: string, locale: Locale = 'de'): Promise<Award | undefined> {
  const holder = await findHolder(db, ags);
  if (!holder?.qualified_at) return undefined;
  return {
    procedureCount: holder.count,
    qualifiedAt: holder.qualified_at,
    confirmedAt: holder.confirmed_at,
    since: formatDay(holder.qualified_at, locale),
    sinceIso: isoDay(holder.qualified_at),
  };
}
