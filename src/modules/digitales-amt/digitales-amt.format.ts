/**
 * Presentation of the distinction: dates for pages, and the open data records as CSV and JSON.
 */
import type { Locale } from '../../platform/i18n/i18n.ts';
import type { Standing } from './digitales-amt.repository.ts';

const dayFormats: Record<Locale, Intl.DateTimeFormat> = {
  de: new Intl.DateTimeFormat('de-DE', { dateStyle: 'long', timeZone: 'Europe/Berlin' }),
  en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'Europe/Berlin' }),
};
const isoDayFormat = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: 'Europe/Berlin' });

/** "15. Januar 2026" / "15 January 2026" (the calendar day in Bavaria). */
export function formatDay(date: Date, locale: Locale): string {
  return dayFormats[locale].format(date);
}

/** "2026-01-15", for `<time datetime>`. */
export function isoDay(date: Date): string {
  return isoDayFormat.format(date);
}

/** One municipality in the open data. Field names are the CSV column names. */
export interface OpenDataRecord {
  ags: string;
  name: string;
  count: number;
  qualifies: boolean;
  qualified_at: string | null;
  confirmed_at: string | null;
}

export const OPEN_DATA_COLUMNS = ['ags', 'name', 'count', 'qualifies', 'qualified_at', 'confirmed_at'] as const satisfies readonly (keyof OpenDataRecord)[];

/** Open data records; times as ISO 8601 in UTC. `qualified_at` is the date of the recorded award, kept while below the threshold. */
export function toOpenDataRecords(rows: Standing[]): OpenDataRecord[] {
  return rows.map((r) => ({
    ags: r.ags,
    name: r.name,
    count: r.count,
    qualifies: r.holds,
    qualified_at: r.qualified_at ? r.qualified_at.toISOString() : null,
    confirmed_at: r.confirmed_at ? r.confirmed_at.toISOString() : null,
  }));
}

/** RFC 4180 CSV with a header row and CRLF line ends. */
export function toCsv(records: OpenDataRecord[]): string {
  const lines = [OPEN_DATA_COLUMNS.join(',')];
  for (const r of records) lines.push(OPEN_DATA_COLUMNS.map((c) => csvField(r[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

function csvField(value: string | number | boolean | null): string {
  if (value === null) return '';
  let text = String(value);
  // A text starting with = + - @ would run as a formula in a spreadsheet; a leading apostrophe keeps
  // it text. Numbers are not text and are left alone.
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
