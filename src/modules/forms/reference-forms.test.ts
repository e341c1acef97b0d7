/**
 * The reference procedures: each definition passes the checks; a realistic applicant who posts
 * every step gets no errors and a complete, valid application; typical mistakes give the expected
 * field errors.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSummaryView } from './build-views.ts';
import { checkFormDefinition } from './check-form-definition.ts';
import type { Answers, FileReference, FormDefinition } from './form-definition.ts';
import { applyPrefill, readStepAnswers, type PostedBody } from './read-answers.ts';
import { loadReferenceForm, REFERENCE_FORMS } from './reference-forms.ts';
import { validateAnswers, validateStep, visibleSteps, type FieldError } from './validate-answers.ts';

const TODAY = { today: '2026-11-23' };
const pdf = (name: string): FileReference => ({ uploadId: `up-${name}`, fileName: `${name}.pdf`, mediaType: 'application/pdf', sizeBytes: 240_000 });
const identity = { givenName: 'Erika', familyName: 'Mustermann', birthDate: '1964-08-12', placeOfBirth: 'Berlin', address: { street: 'Heidestraße 17', postcode: '51147', city: 'Köln' } };

interface Posting { step: string; body: PostedBody; files?: (answers: Answers) => Answers }

/** Posts the steps in order as a browser would (with prefill first); returns answers and every step's errors. */
function apply(definition: FormDefinition, postings: Posting[]): { answers: Answers; stepErrors: FieldError[] } {
  let answers = applyPrefill(definition, {}, identity).answers;
  const stepErrors: FieldError[] = [];
  for (const posting of postings) {
    if (posting.files) answers = posting.files(answers);
    const read = readStepAnswers(definition, posting.step, posting.body, answers);
    assert.deepEqual(read.action, { kind: 'continue' });
    answers = read.answers;
    stepErrors.push(...validateStep(definition, posting.step, answers, read.raw, TODAY));
  }
  return { answers, stepErrors };
}

const codes = (errors: FieldError[]) => errors.map((e) => `${e.fieldId} ${e.code}`);
const address = (name: string, street: string, houseNumber: string, postcode: string, city: string) => ({
  [`${name}.street`]: street, [`${name}.houseNumber`]: houseNumber, [`${name}.postcode`]: postcode, [`${name}.city`]: city, [`${name}.country`]: 'DE',
});
/** The prefilled fields, as the browser posts them back. */
const person = { 'f.familienname': 'Mustermann', 'f.vornamen': 'Erika', 'f.geburtsdatum': '12.08.1964' };

test('every reference form passes checkFormDefinition and has German and English texts', () => {
  for (const name of REFERENCE_FORMS) {
    const definition = loadReferenceForm(name);
    assert.ok(checkFormDefinition(JSON.parse(JSON.stringify(definition))).ok, name);
    const texts: { de: string; en?: string | undefined }[] = [];
    JSON.stringify(definition, (key, value: unknown) => {
      if (value && typeof value === 'object' && 'de' in value) texts.push(value as { de: string; en?: string });
      return value;
    });
    const missing = texts.filter((t) => !t.en).map((t) => t.de);
    assert.deepEqual(missing, [], `${name}: texts without English`);
    assert.ok(definition.steps.some((s) => s.items.some((i) => i.kind === 'field' && i.prefill)), `${name} prefills from the identity`);
  }
});

test('Wohnsitzanmeldung: complete application, then typical mistakes', () => {
  const definition = loadReferenceForm('wohnsitzanmeldung');
  const steps = (overrides: Partial<Record<string, PostedBody>> = {}): Posting[] => [
    { step: 'einzug', body: { 'f.einzugsdatum': '15.11.2026', ...address('f.neue_anschrift', 'Marktplatz', '3', '97616', 'Bad Neustadt a.d.Saale'), 'f.wohnungsstatus': 'alleinige', ...overrides.einzug } },
    { step: 'person', body: { ...person, 'f.geburtsort': 'Berlin', 'f.geschlecht': 'w', 'f.staatsangehoerigkeit': 'DE', 'f.familienstand': 'VH', 'f.religion': 'rk', 'f.email': 'erika@example.org', ...overrides.person } },
    { step: 'bisherige', body: { 'f.zuzug_ausland': 'no', ...address('f.bisherige_anschrift', 'Heidestraße', '17', '51147', 'Köln'), 'f.bisherige_beibehalten': 'no', ...overrides.bisherige } },
    { step: 'mitziehende', body: { 'f.personen.count': '2', 'f.personen.0.person_familienname': 'Mustermann', 'f.personen.0.person_vornamen': 'Max', 'f.personen.0.person_geburtsdatum': '01.02.1962', 'f.personen.0.person_geschlecht': 'm', 'f.personen.0.person_beziehung': 'ehe', 'f.personen.1.person_familienname': 'Mustermann', 'f.personen.1.person_vornamen': 'Lena', 'f.personen.1.person_geburtsdatum': '03.04.2015', 'f.personen.1.person_geschlecht': 'w', 'f.personen.1.person_beziehung': 'kind', ...overrides.mitziehende } },
    { step: 'nachweise', body: {}, files: (a) => ({ ...a, wohnungsgeberbestaetigung: [pdf('wgb')] }) },
  ];
  const ok = apply(definition, steps());
  assert.deepEqual(codes(ok.stepErrors), []);
  assert.deepEqual(codes(validateAnswers(definition, ok.answers, TODAY)), []);
  assert.deepEqual(ok.answers.neue_anschrift, { street: 'Marktplatz', houseNumber: '3', postcode: '97616', city: 'Bad Neustadt a.d.Saale', country: 'DE' });
  assert.equal((ok.answers.personen as Answers[]).length, 2);
  assert.equal(ok.answers.hauptwohnung_anschrift, undefined);
  const summary = buildSummaryView(definition, ok.answers, 'de');
  assert.ok(summary.steps.flatMap((s) => s.rows).some((r) => r.label === 'Person 2: Vornamen' && r.displayValue === 'Lena'));

  // A secondary residence needs the main residence; a date in the future and a short postcode are refused.
  const bad = apply(definition, steps({ einzug: { 'f.einzugsdatum': '24.12.2026', 'f.wohnungsstatus': 'neben', 'f.neue_anschrift.postcode': '9761' } }));
  assert.deepEqual(codes(bad.stepErrors), ['f.einzugsdatum forms.error.maxDate', 'f.neue_anschrift.postcode forms.error.postcode', 'f.hauptwohnung_anschrift.street forms.error.required']);
  // The upload is required; a child cannot be registered as spouse.
  const missing = apply(definition, [...steps({ mitziehende: { 'f.personen.1.person_beziehung': 'ehe' } }).slice(0, 4), { step: 'nachweise', body: {} }]);
  assert.deepEqual(codes(missing.stepErrors), ['f.personen.1.person_geburtsdatum rule:ehegatte_volljaehrig', 'f.wohnungsgeberbestaetigung forms.error.requiredFile']);
});

test('Hundesteuer: two dogs, one a listed breed with a permit; mistakes per dog', () => {
  const definition = loadReferenceForm('hundesteuer');
  const dogs = {
    'f.hunde.count': '2',
    'f.hunde.0.hund_name': 'Bello', 'f.hunde.0.rasse': 'Dackel', 'f.hunde.0.hund_geschlecht': 'ruede', 'f.hunde.0.wurfdatum': '01.03.2021', 'f.hunde.0.gehalten_seit': '01.06.2021', 'f.hunde.0.chipnummer': '276098100123456', 'f.hunde.0.listenhund': 'no',
    'f.hunde.1.hund_name': 'Rex', 'f.hunde.1.rasse': 'Rottweiler', 'f.hunde.1.hund_geschlecht': 'ruede', 'f.hunde.1.wurfdatum': '10.10.2024', 'f.hunde.1.gehalten_seit': '01.01.2025', 'f.hunde.1.listenhund': 'yes', 'f.hunde.1.kategorie': '2',
  };
  const steps = (dogBody: PostedBody, withPermit = true): Posting[] => [
    { step: 'halter', body: { ...person, ...address('f.anschrift', 'Heidestraße', '17', '51147', 'Köln'), 'f.telefon': '0221 123456' } },
    { step: 'hundeangaben', body: dogBody, files: (a) => (withPermit ? { ...a, hunde: [{}, { erlaubnis: [pdf('negativzeugnis')] }] } : a) },
    { step: 'ermaessigung', body: { 'f.ermaessigung_beantragt': 'no' } },
    { step: 'zahlung', body: { 'f.lastschrift': 'yes', 'f.kontoinhaber': 'Erika Mustermann', 'f.iban': 'DE89 3704 0044 0532 0130 00' } },
  ];
  const ok = apply(definition, steps(dogs));
  assert.deepEqual(codes(ok.stepErrors), []);
  assert.deepEqual(codes(validateAnswers(definition, ok.answers, TODAY)), []);
  assert.deepEqual((ok.answers.hunde as Answers[])[1]!.erlaubnis, [pdf('negativzeugnis')]);
  assert.equal(ok.answers.iban, 'DE89370400440532013000');

  const bad = apply(definition, steps({ ...dogs, 'f.hunde.0.gehalten_seit': '01.01.2020', 'f.hunde.0.chipnummer': '12345', 'f.hunde.1.kategorie': '' }, false));
  assert.deepEqual(codes(bad.stepErrors), [
    'f.hunde.0.chipnummer forms.error.pattern', 'f.hunde.1.kategorie forms.error.requiredChoice', 'f.hunde.1.erlaubnis forms.error.requiredFile', 'f.hunde.0.gehalten_seit rule:seit_nach_wurf',
  ]);
  assert.equal(bad.stepErrors[0]!.message.de, 'Die Transpondernummer hat 15 Ziffern');
  const badIban = apply(definition, [...steps(dogs).slice(0, 3), { step: 'zahlung', body: { 'f.lastschrift': 'yes', 'f.kontoinhaber': 'Erika Mustermann', 'f.iban': 'DE89 3704 0044 0532 0130 01' } }]);
  assert.deepEqual(codes(badIban.stepErrors), ['f.iban forms.error.iban']);
});

test('Führungszeugnis: extended certificate sent to an authority; the request letter is required only for the extended one', () => {
  const definition = loadReferenceForm('fuehrungszeugnis');
  const steps = (zeugnis: PostedBody, versand: PostedBody, letter = true): Posting[] => [
    { step: 'person', body: { ...person, 'f.geburtsort': 'Berlin', 'f.staatsangehoerigkeit': 'DE', ...address('f.anschrift', 'Heidestraße', '17', '51147', 'Köln') } },
    { step: 'zeugnis', body: { 'f.verwendungszweck': 'Übungsleiterin im Sportverein', 'f.ehrenamt': 'no', 'f.anzahl': '1', ...zeugnis }, files: (a) => (letter ? { ...a, aufforderung: [pdf('aufforderung')] } : a) },
    { step: 'versand', body: versand },
    { step: 'erklaerung', body: { 'f.bestaetigung': 'yes' } },
  ];
  const toAuthority = { 'f.empfang': 'behoerde', 'f.behoerde_name': 'Landratsamt Rhön-Grabfeld', ...address('f.behoerde_anschrift', 'Spörleinstraße', '11', '97616', 'Bad Neustadt a.d.Saale') };
  const ok = apply(definition, steps({ 'f.art': 'erweitert' }, toAuthority));
  assert.deepEqual(codes(ok.stepErrors), []);
  assert.deepEqual(codes(validateAnswers(definition, ok.answers, TODAY)), []);
  assert.deepEqual(visibleSteps(definition, ok.answers).map((s) => s.id), ['person', 'zeugnis', 'versand', 'erklaerung']);

  // Normal certificate to myself: the letter and the authority's address are not asked for (and dropped).
  const normal = apply(definition, steps({ 'f.art': 'normal' }, { 'f.empfang': 'privat', 'f.behoerde_name': 'wird verworfen' }));
  assert.deepEqual(codes(normal.stepErrors), []);
  assert.equal(normal.answers.aufforderung, undefined);
  assert.equal(normal.answers.behoerde_name, undefined);

  const bad = apply(definition, [...steps({ 'f.art': 'erweitert', 'f.anzahl': '10' }, { 'f.empfang': 'behoerde' }, false).slice(0, 3), { step: 'erklaerung', body: { 'f.bestaetigung': 'no' } }]);
  assert.deepEqual(codes(bad.stepErrors), [
    'f.aufforderung forms.error.requiredFile', 'f.anzahl forms.error.max', 'f.behoerde_name forms.error.required', 'f.behoerde_anschrift.street forms.error.required', 'f.bestaetigung rule:bestaetigung_ja',
  ]);
});

test('Bauantrag: 30 plans are accepted, the 31st is not; statistics depend on the type of building', () => {
  const definition = loadReferenceForm('bauantrag');
  const plans = Array.from({ length: 30 }, (_, i) => ({ ...pdf(`plan-${i + 1}`), mediaType: i % 2 ? 'image/png' : 'application/pdf' }));
  const steps = (plansGiven: FileReference[], statistik: PostedBody = {}): Posting[] => [
    { step: 'bauherr', body: { 'f.bauherrenart': 'person', 'f.familienname': 'Mustermann', 'f.vornamen': 'Erika', ...address('f.anschrift', 'Heidestraße', '17', '51147', 'Köln'), 'f.telefon': '0221 123456', 'f.email': 'erika@example.org' } },
    { step: 'grundstueck', body: { 'f.gemeinde': 'Bad Neustadt a.d.Saale', 'f.gemarkung': 'Brendlorenzen', 'f.flurnummer': '1234/5', 'f.eigentuemer': 'yes' } },
    { step: 'vorhaben', body: { 'f.verfahren': 'art59', 'f.bezeichnung': 'Neubau eines Einfamilienhauses mit Doppelgarage', 'f.beschreibung': 'Einfamilienhaus in Holzbauweise, zwei Vollgeschosse, Satteldach, Doppelgarage an der Grundstücksgrenze.', 'f.gebaeudeklasse': '1', 'f.vollgeschosse': '2', 'f.baukosten': '480.000' } },
    { step: 'entwurf', body: { 'f.bv_name': 'Dipl.-Ing. Anna Architektin', 'f.bv_kammer': 'Bayerische Architektenkammer 123456', ...address('f.bv_anschrift', 'Hauptstraße', '1', '97616', 'Bad Neustadt a.d.Saale'), 'f.bv_email': 'buero@example.org' } },
    { step: 'unterlagen', body: {}, files: (a) => ({ ...a, lageplan: [pdf('lageplan')], plaene: plansGiven, baubeschreibung: [pdf('baubeschreibung')] }) },
    { step: 'statistik', body: { 'f.massnahme': 'neubau', 'f.gebaeudeart': 'wohn', 'f.wohnungen': '1', 'f.wohnflaeche': '142,5', 'f.heizenergie': 'waermepumpe', ...statistik } },
  ];
  const ok = apply(definition, steps(plans));
  assert.deepEqual(codes(ok.stepErrors), []);
  assert.deepEqual(codes(validateAnswers(definition, ok.answers, TODAY)), []);
  assert.equal(ok.answers.baukosten, 48_000_000, 'euros are stored as cents');
  assert.equal(ok.answers.wohnflaeche, 142.5);

  const bad = apply(definition, steps([...plans, pdf('plan-31')], { 'f.wohnflaeche': '0' }));
  assert.deepEqual(codes(bad.stepErrors), ['f.plaene forms.error.maxFiles', 'f.wohnflaeche rule:wohnflaeche_bei_wohnungen']);
  const nonResidential = apply(definition, steps(plans, { 'f.gebaeudeart': 'nichtwohn', 'f.wohnungen': '', 'f.wohnflaeche': '' }));
  assert.deepEqual(codes(nonResidential.stepErrors), []);
  const wrongPlot = apply(definition, [steps(plans)[0]!, { step: 'grundstueck', body: { 'f.gemeinde': 'X', 'f.gemarkung': 'Y', 'f.flurnummer': 'Flur 12', 'f.eigentuemer': 'no' } }]);
  assert.deepEqual(codes(wrongPlot.stepErrors), ['f.flurnummer forms.error.pattern', 'f.zustimmung_eigentuemer forms.error.requiredFile']);
  // An exe disguised by its declared type is refused by the media types of the field.
  const exe = apply(definition, steps([{ ...pdf('plan'), mediaType: 'application/x-msdownload' }]));
  assert.deepEqual(codes(exe.stepErrors), ['f.plaene forms.error.fileType']);
});
