/**
 * Dates and the CSV export for the cash office. Days are Berlin days (the authorities' time zone).
 *
 * CSV format (documented in ARCHITECTURE.md): UTF-8 with BOM (so that Excel detects the encoding),
 * `;` as separator, CRLF line ends, a header row, amounts in German notation with a decimal comma
 * and no thousands separator ("1234,50"), dates "dd.mm.yyyy hh:mm" in Berlin time. Fields with `;`,
 * quotes or line breaks are quoted; fields starting with = + - @ get a leading apostrophe so that
 * a spreadsheet does not run them as formulas.
 */
import type { Payment } from './payments.repository.ts';

const TZ = 'Europe/Berlin';

/** The offset of Berlin from UTC at an instant, in minutes. */
function berlinOffsetMinutes(at: Date): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: TZ, timeZoneName: 'longOffset' }).formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

/** The instant a Berlin day (yyyy-mm-dd) starts. */
export function berlinDayStart(isoDate: string): Date {
  const utcMidnight = new Date(`${isoDate}T00:00:00Z`);
  const guess = new Date(utcMidnight.getTime() - berlinOffsetMinutes(utcMidnight) * 60_000);
  return new Date(utcMidnight.getTime() - berlinOffsetMinutes(guess) * 60_000);
}

/** The instant the Berlin day after `isoDate` starts (an inclusive "until" day). */
export function berlinDayEnd(isoDate: string): Date {
  const next = new Date(`${isoDate}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return berlinDayStart(next.toISOString().slice(0, 10));
}

/** "23.11.2026 20:15" in Berlin time. */
export function formatBerlin(date: Date): string {
  return new Intl.DateTimeFormat('de-DE', { timeZone: TZ, day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(date).replace(',', '');
}

/** Cents as "1234,50" (German decimal comma, no thousands separator). */
export function formatCentsCsv(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)},${String(abs % 100).padStart(2, '0')}`;
}

function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[;"\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** CSV column headers (German: the cash office's language). */
export const CSV_HEADER = [
  'Kassenzeichen', 'Angelegt', 'Bezahlt am', 'Betrag', 'Erstattet', 'Währung', 'Status', 'Verwendungszweck', 'Zahlungsverkehrsanbieter', 'Transaktions-ID', 'Vorgangsart', 'Vorgangs-ID',
] as const;

/** The export as a string (with BOM); `statusLabel` names a status in German. */
export function paymentsCsv(payments: Payment[], statusLabel: (status: Payment['status']) => string): string {
  const rows = [CSV_HEADER.map(csvField).join(';')];
  for (const p of payments) {
    rows.push([
      p.kassenzeichen, formatBerlin(p.createdAt), p.paidAt ? formatBerlin(p.paidAt) : '', formatCentsCsv(p.amountCents), formatCentsCsv(p.refundedCents),
      p.currency, statusLabel(p.status), p.purpose, p.provider === 'pmpayment' ? 'pmPayment' : 'ePayBL', p.providerTxid ?? '', p.payableKind, p.payableId,
    ].map(csvField).join(';'));
  }
  return `\uFEFF${rows.join('\r\n')}\r\n`;
}
