/**
 * Fee rules as data: a fee schedule is a list of items whose amounts are summed. An item is a fixed
 * amount, an amount by the chosen option of a choice field (field id + code -> amount), or a unit
 * amount times the number entered in a field. All amounts are integer cents (EUR); no floating point.
 * The schedule is stored per procedure and tenant by the module that owns procedures; this file only
 * checks and evaluates it.
 */
import { z } from 'zod';
import { ID_PATTERN, localizedText, type AnswerValue, type Answers, type LocalizedText } from '../forms/form-definition.ts';

const cents = z.number().int().min(0).max(100_000_000);
const fieldId = z.string().regex(ID_PATTERN);

/** A fixed fee, e.g. the Führungszeugnis at 1300 cents. */
export const fixedFee = z.object({ kind: z.literal('fixed'), label: localizedText, cents }).strict();

/**
 * By chosen option: the code answered in a choice (or each code of a multi-choice) field picks an
 * amount; a code without an entry costs `otherwiseCents` (default nothing).
 */
export const optionFee = z.object({
  kind: z.literal('byOption'),
  label: localizedText,
  field: fieldId,
  amounts: z.record(z.string().min(1).max(200), cents),
  otherwiseCents: cents.optional(),
}).strict();

/** By quantity: the number answered in an integer field times the unit amount (negative counts as 0). */
export const quantityFee = z.object({
  kind: z.literal('byQuantity'),
  label: localizedText,
  field: fieldId,
  unitCents: cents,
  /** Quantities above this are charged as this (e.g. a cap on copies). */
  maxQuantity: z.number().int().min(1).optional(),
}).strict();

/** A fee schedule: its items are summed. */
export const feeSchedule = z.object({
  currency: z.literal('EUR').default('EUR'),
  items: z.array(z.discriminatedUnion('kind', [fixedFee, optionFee, quantityFee])).min(1).max(50),
}).strict();
export type FeeSchedule = z.infer<typeof feeSchedule>;
export type FeeItem = FeeSchedule['items'][number];

/** One line of a computed fee. */
export interface FeeLine {
  label: LocalizedText;
  cents: number;
}

/** The fee for a set of answers: its lines (items that cost something, fixed items always) and total. */
export interface FeeResult {
  totalCents: number;
  lines: FeeLine[];
}

/**
 * Every answer of a field: at the top level, and inside repeating groups (one per repetition), so
 * that a rule on a field in a repeating group charges each repetition.
 */
function answersOf(answers: Answers, field: string): AnswerValue[] {
  const found: AnswerValue[] = [];
  for (const [key, value] of Object.entries(answers)) {
    if (key === field && !isRepetitions(value)) found.push(value);
    else if (isRepetitions(value)) for (const entry of value) found.push(...answersOf(entry, field));
  }
  return found;
}

function isRepetitions(value: AnswerValue | Answers[]): value is Answers[] {
  return Array.isArray(value) && value.length > 0 && typeof value[0] === 'object' && value[0] !== null && !('uploadId' in value[0]);
}

function itemCents(item: FeeItem, answers: Answers): number {
  switch (item.kind) {
    case 'fixed':
      return item.cents;
    case 'byOption': {
      let sum = 0;
      for (const value of answersOf(answers, item.field)) {
        const codes = typeof value === 'string' ? [value] : Array.isArray(value) && value.every((v) => typeof v === 'string') ? value as string[] : [];
        for (const code of codes) sum += Object.hasOwn(item.amounts, code) ? item.amounts[code]! : item.otherwiseCents ?? 0;
      }
      return sum;
    }
    case 'byQuantity': {
      let sum = 0;
      for (const value of answersOf(answers, item.field)) {
        if (typeof value !== 'number' || !Number.isFinite(value)) continue;
        const quantity = Math.min(Math.max(0, Math.floor(value)), item.maxQuantity ?? Number.MAX_SAFE_INTEGER);
        sum += quantity * item.unitCents;
      }
      return sum;
    }
  }
}

/**
 * Computes the fee of a schedule for the given answers (missing answers cost nothing).
 * @throws RangeError when the total exceeds what a payment may carry (safe integer cents).
 */
export function computeFee(schedule: FeeSchedule, answers: Answers): FeeResult {
  const lines: FeeLine[] = [];
  let totalCents = 0;
  for (const item of schedule.items) {
    const amount = itemCents(item, answers);
    if (amount === 0 && item.kind !== 'fixed') continue;
    lines.push({ label: item.label, cents: amount });
    totalCents += amount;
  }
  if (!Number.isSafeInteger(totalCents)) throw new RangeError('fee total out of range');
  return { totalCents, lines };
}

/** Formats cents as a euro amount for the locale: de "1.234,50 €", en "€1,234.50". */
export function formatEuro(cents: number, locale: 'de' | 'en'): string {
  return new Intl.NumberFormat(locale === 'de' ? 'de-DE' : 'en-GB', { style: 'currency', currency: 'EUR' }).format(cents / 100);
}

/** What the fee box before the applicant commits shows: lines and total, labelled and formatted for the locale. */
export interface FeeDisplay {
  lines: { label: string; amount: string; cents: number }[];
  total: string;
  totalCents: number;
  /** True when nothing is to be paid (the page then says so instead of showing a payment step). */
  free: boolean;
}

/** The view model of a computed fee for a page (see `views/fee-summary.njk`). */
export function presentFee(result: FeeResult, locale: 'de' | 'en'): FeeDisplay {
  return {
    lines: result.lines.map((l) => ({ label: locale === 'en' ? l.label.en ?? l.label.de : l.label.de, amount: formatEuro(l.cents, locale), cents: l.cents })),
    total: formatEuro(result.totalCents, locale),
    totalCents: result.totalCents,
    free: result.totalCents === 0,
  };
}
