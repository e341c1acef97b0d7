/**
 * Kassenzeichen and Verwendungszweck. A Kassenzeichen is 12 digits: the two-digit year, a
 * nine-digit number from a database sequence (unique across tenants and instances), and a Luhn
 * check digit, so that a mistyped reference at the cash office is noticed. The Verwendungszweck
 * follows the bank-transfer and ePayBL rules: at most 27 characters, upper case, plain letters.
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/database.ts';

/** The Luhn check digit of a string of digits. */
export function luhnCheckDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/** Builds the Kassenzeichen for a sequence number and year. @throws RangeError beyond 999,999,999 per format. */
export function formatKassenzeichen(sequence: number, year: number): string {
  if (!Number.isSafeInteger(sequence) || sequence < 1 || sequence > 999_999_999) throw new RangeError('reference sequence out of range');
  const body = `${String(year % 100).padStart(2, '0')}${String(sequence).padStart(9, '0')}`;
  return `${body}${luhnCheckDigit(body)}`;
}

/** True for 12 digits whose last is the Luhn check digit of the others. */
export function isValidKassenzeichen(value: string): boolean {
  return /^\d{12}$/.test(value) && luhnCheckDigit(value.slice(0, 11)) === Number(value[11]);
}

/** Draws the next Kassenzeichen from the database sequence. */
export async function nextKassenzeichen(db: Db | Tx, now = new Date()): Promise<string> {
  const { rows } = await sql<{ n: number }>`SELECT nextval('payment_reference_seq')::int AS n`.execute(db);
  return formatKassenzeichen(Number(rows[0]!.n), now.getUTCFullYear());
}

const TRANSLITERATION: Record<string, string> = { Ä: 'AE', Ö: 'OE', Ü: 'UE', ß: 'SS', ẞ: 'SS' };

/**
 * Normalises a Verwendungszweck: upper case, umlauts spelled out, other letters without accents,
 * only A-Z 0-9 space . , - / +, spaces collapsed, cut to 27 characters. Empty input gives "GEBUEHR".
 */
export function normalizePurpose(text: string): string {
  const upper = text.toUpperCase().replace(/[ÄÖÜßẞ]/g, (c) => TRANSLITERATION[c] ?? c);
  const plain = upper.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Z0-9 .,\-/+]/g, ' ').replace(/\s+/g, ' ').trim();
  return plain.slice(0, 27).trim() || 'GEBUEHR';
}
