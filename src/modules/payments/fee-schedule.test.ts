import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeFee, feeSchedule, presentFee } from './fee-schedule.ts';
import { formatKassenzeichen, isValidKassenzeichen, luhnCheckDigit, normalizePurpose } from './payment-reference.ts';
import { berlinDayEnd, berlinDayStart, formatCentsCsv, paymentsCsv } from './payments.format.ts';
import { parseEuroCents } from './payments.schemas.ts';
import type { Payment } from './payments.repository.ts';

const schedule = feeSchedule.parse({
  items: [
    { kind: 'fixed', label: { de: 'Führungszeugnis', en: 'Certificate of good conduct' }, cents: 1300 },
    { kind: 'byOption', label: { de: 'Art', en: 'Type' }, field: 'art', amounts: { erweitert: 500, eu: 300 } },
    { kind: 'byQuantity', label: { de: 'Ausfertigungen' }, field: 'anzahl', unitCents: 250, maxQuantity: 5 },
  ],
});

test('a fixed fee is charged alone when nothing else is answered', () => {
  const fee = computeFee(schedule, {});
  assert.deepEqual(fee, { totalCents: 1300, lines: [{ label: { de: 'Führungszeugnis', en: 'Certificate of good conduct' }, cents: 1300 }] });
});

test('options and quantities are added in integer cents; quantities are capped and unknown codes cost nothing', () => {
  assert.equal(computeFee(schedule, { art: 'erweitert', anzahl: 2 }).totalCents, 1300 + 500 + 500);
  assert.equal(computeFee(schedule, { art: 'unbekannt', anzahl: 99 }).totalCents, 1300 + 5 * 250);
  assert.equal(computeFee(schedule, { art: ['erweitert', 'eu'] }).totalCents, 1300 + 800);
  assert.equal(computeFee(schedule, { anzahl: -3 }).totalCents, 1300);
});

test('fields inside repeating groups are charged per repetition', () => {
  const perDog = feeSchedule.parse({ items: [{ kind: 'byOption', label: { de: 'Hund' }, field: 'rasse', amounts: { normal: 7500, kampfhund: 60000 } }] });
  assert.equal(computeFee(perDog, { hunde: [{ rasse: 'normal' }, { rasse: 'kampfhund' }, { rasse: 'normal' }] }).totalCents, 75000);
});

test('the schedule refuses fractional or negative amounts and unknown kinds', () => {
  assert.equal(feeSchedule.safeParse({ items: [{ kind: 'fixed', label: { de: 'x' }, cents: 13.5 }] }).success, false);
  assert.equal(feeSchedule.safeParse({ items: [{ kind: 'fixed', label: { de: 'x' }, cents: -1 }] }).success, false);
  assert.equal(feeSchedule.safeParse({ items: [{ kind: 'percent', label: { de: 'x' }, cents: 1 }] }).success, false);
  assert.equal(feeSchedule.safeParse({ items: [] }).success, false);
});

test('the fee display is formatted per locale', () => {
  const de = presentFee(computeFee(schedule, { anzahl: 1 }), 'de');
  assert.equal(de.total, '15,50\u00a0€');
  assert.deepEqual(de.lines.map((l) => l.label), ['Führungszeugnis', 'Ausfertigungen']);
  const en = presentFee(computeFee(schedule, {}), 'en');
  assert.equal(en.total, '€13.00');
  assert.equal(en.lines[0]!.label, 'Certificate of good conduct');
  assert.equal(presentFee({ totalCents: 0, lines: [] }, 'de').free, true);
});

test('Kassenzeichen carry a Luhn check digit that catches a mistyped digit', () => {
  assert.equal(luhnCheckDigit('7992739871'), 3);
  const k = formatKassenzeichen(42, 2026);
  assert.match(k, /^26000000042\d$/);
  assert.ok(isValidKassenzeichen(k));
  const typo = `${k.slice(0, 5)}${(Number(k[5]) + 1) % 10}${k.slice(6)}`;
  assert.equal(isValidKassenzeichen(typo), false);
  assert.throws(() => formatKassenzeichen(1_000_000_000, 2026), RangeError);
});

test('the Verwendungszweck is upper case, plain and at most 27 characters', () => {
  assert.equal(normalizePurpose('Führungszeugnis für Müller-Lüdenscheidt, Größe ß'), 'FUEHRUNGSZEUGNIS FUER MUELL');
  assert.equal(normalizePurpose('Café <script>'), 'CAFE SCRIPT');
  assert.equal(normalizePurpose('  '), 'GEBUEHR');
  assert.ok(normalizePurpose('x'.repeat(100)).length <= 27);
});

test('German amounts are read into cents', () => {
  assert.equal(parseEuroCents('13'), 1300);
  assert.equal(parseEuroCents('13,5'), 1350);
  assert.equal(parseEuroCents('1.234,56 €'), 123456);
  assert.equal(parseEuroCents('13.50'), null);
  assert.equal(parseEuroCents('-1'), null);
  assert.equal(parseEuroCents('1,234'), null);
});

test('Berlin days start at local midnight, in winter and summer time', () => {
  assert.equal(berlinDayStart('2026-01-10').toISOString(), '2026-01-09T23:00:00.000Z');
  assert.equal(berlinDayStart('2026-07-10').toISOString(), '2026-07-09T22:00:00.000Z');
  assert.equal(berlinDayEnd('2026-03-28').toISOString(), '2026-03-28T23:00:00.000Z');
});

test('the CSV has a BOM, semicolons, decimal commas, quoting and no formulas', () => {
  const payment: Payment = {
    id: 'a', tenantId: 't', payableKind: 'application', payableId: 'b', amountCents: 123456, currency: 'EUR', kassenzeichen: '260000000421',
    purpose: '-SUMME;"X"', provider: 'epaybl', providerTxid: 'EP1', redirectUrl: null, returnPath: '/', status: 'paid', refundedCents: 5,
    createdAt: new Date('2026-11-23T10:00:00Z'), updatedAt: new Date(), paidAt: new Date('2026-11-23T10:05:00Z'),
  };
  const csv = paymentsCsv([payment], (s) => s.toUpperCase());
  assert.ok(csv.startsWith('\uFEFFKassenzeichen;Angelegt;'));
  const line = csv.split('\r\n')[1]!;
  assert.equal(line, `260000000421;23.11.2026 11:00;23.11.2026 11:05;1234,56;0,05;EUR;PAID;"'-SUMME;""X""";ePayBL;EP1;application;b`);
  assert.equal(formatCentsCsv(7), '0,07');
});
