import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFormDefinition } from './check-form-definition.ts';
import type { Answers, FormDefinition } from './form-definition.ts';
import { applyPrefill, pruneHiddenAnswers, readStepAnswers } from './read-answers.ts';
import { collectFiles, nextStepId, previousStepId } from './navigation.ts';
import { everyTypeDefinition } from './test-fixtures.ts';
import { isVisible, validateAnswers, validateStep, visibleSteps } from './validate-answers.ts';

const TODAY = { today: '2026-11-23' };
const definition = everyTypeDefinition();

/** A definition with one field of the given shape on one step. */
function single(field: Record<string, unknown>): FormDefinition {
  const result = checkFormDefinition({
    format: 1, title: { de: 'T' },
    codeLists: { farben: { title: { de: 'F' }, entries: [{ code: 'rot', label: { de: 'Rot' } }, { code: 'blau', label: { de: 'Blau' } }] } },
    steps: [{ id: 's', title: { de: 'S' }, items: [{ kind: 'field', id: 'x', label: { de: 'X', en: 'Ex' }, ...field }] }],
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.definition;
}

/** Reads one posted value of field x and validates; returns the answer and the error codes. */
function roundTrip(field: Record<string, unknown>, body: Record<string, string | string[]>) {
  const def = single(field);
  const read = readStepAnswers(def, 's', body, {});
  const errors = validateStep(def, 's', read.answers, read.raw, TODAY);
  return { value: read.answers.x, codes: errors.map((e) => e.code), errors, raw: read.raw };
}

test('reading normalises each type; input that does not parse is kept raw and gets the type message', () => {
  const cases: [Record<string, unknown>, string | string[], unknown, string[]][] = [
    [{ type: 'text' }, '  Erika   Mustermann ', 'Erika Mustermann', []],
    [{ type: 'text' }, '   ', undefined, []],
    [{ type: 'textarea' }, ' Zeile 1\r\nZeile 2 ', 'Zeile 1\nZeile 2', []],
    [{ type: 'integer' }, '1.234', 1234, []],
    [{ type: 'integer' }, '-12', -12, []],
    [{ type: 'integer' }, '12,5', undefined, ['forms.error.integer']],
    [{ type: 'number' }, '1.234,5', 1234.5, []],
    [{ type: 'number' }, '12.5', 12.5, []],
    [{ type: 'number' }, '12,5,5', undefined, ['forms.error.number']],
    [{ type: 'currency' }, '1.234,56 €', 123456, []],
    [{ type: 'currency' }, '12,5', 1250, []],
    [{ type: 'currency' }, '0,005', undefined, ['forms.error.currency']],
    [{ type: 'date' }, '1.2.1980', '1980-02-01', []],
    [{ type: 'date' }, '1980-12-31', '1980-12-31', []],
    [{ type: 'date' }, '29.02.2023', undefined, ['forms.error.date']],
    [{ type: 'date' }, '29.02.2024', '2024-02-29', []],
    [{ type: 'date' }, 'gestern', undefined, ['forms.error.date']],
    [{ type: 'time' }, '9:05', '09:05', []],
    [{ type: 'time' }, '24:00', undefined, ['forms.error.time']],
    [{ type: 'choice', codeList: 'farben' }, 'blau', 'blau', []],
    [{ type: 'choice', codeList: 'farben' }, 'lila', undefined, ['forms.error.choice']],
    [{ type: 'multi-choice', codeList: 'farben' }, ['blau', 'rot', 'blau'], ['rot', 'blau'], []],
    [{ type: 'multi-choice', codeList: 'farben' }, ['rot', 'lila'], undefined, ['forms.error.choice']],
    [{ type: 'yes-no' }, 'no', false, []],
    [{ type: 'yes-no' }, 'vielleicht', undefined, ['forms.error.yesNo']],
    [{ type: 'iban' }, 'de89 3704 0044 0532 0130 00', 'DE89370400440532013000', []],
    [{ type: 'iban' }, 'DE89 3704 0044 0532 0130 01', 'DE89370400440532013001', ['forms.error.iban']],
    [{ type: 'iban' }, 'DE8937040044053201300', 'DE8937040044053201300', ['forms.error.iban']],
    [{ type: 'email' }, ' erika@example.org ', 'erika@example.org', []],
    [{ type: 'email' }, 'erika@', 'erika@', ['forms.error.email']],
    [{ type: 'phone' }, '+49 (911) 123-456', '+49 (911) 123-456', []],
    [{ type: 'phone' }, 'ruf mich an', 'ruf mich an', ['forms.error.phone']],
  ];
  for (const [field, input, value, codes] of cases) {
    const result = roundTrip(field, { 'f.x': input });
    assert.deepEqual(result.value, value, `${JSON.stringify(field)} ${JSON.stringify(input)}: value`);
    assert.deepEqual(result.codes, codes, `${JSON.stringify(field)} ${JSON.stringify(input)}: errors`);
  }
});

test('addresses: parts, default country, German postcodes, and the part an error links to', () => {
  const full = { 'f.x.street': 'Heidestraße', 'f.x.houseNumber': '17a', 'f.x.postcode': '51147', 'f.x.city': 'Köln' };
  assert.deepEqual(roundTrip({ type: 'address' }, full).value, { street: 'Heidestraße', houseNumber: '17a', postcode: '51147', city: 'Köln', country: 'DE' });
  const short = roundTrip({ type: 'address' }, { ...full, 'f.x.postcode': '5114' });
  assert.deepEqual(short.errors.map((e) => [e.fieldId, e.path, e.code]), [['f.x.postcode', 'x.postcode', 'forms.error.postcode']]);
  assert.deepEqual(roundTrip({ type: 'address' }, { ...full, 'f.x.postcode': 'A-1010', 'f.x.country': 'at' }).codes, []);
  const partial = roundTrip({ type: 'address' }, { 'f.x.street': 'Heidestraße', 'f.x.city': 'Köln' });
  assert.equal(partial.value, undefined);
  assert.deepEqual(partial.errors.map((e) => [e.fieldId, e.code]), [['f.x.houseNumber', 'forms.error.addressPart']]);
  assert.match(partial.errors[0]!.message.de, /die Hausnummer/);
  assert.match(partial.errors[0]!.message.en!, /the house number/);
  assert.deepEqual(roundTrip({ type: 'address', required: true }, { 'f.x.country': 'DE' }).errors.map((e) => [e.fieldId, e.code]), [['f.x.street', 'forms.error.required']]);
});

test('constraints: length, range, date bounds with today, pattern, items', () => {
  assert.deepEqual(roundTrip({ type: 'text', constraints: { minLength: 3 } }, { 'f.x': 'ab' }).codes, ['forms.error.minLength']);
  assert.deepEqual(roundTrip({ type: 'text', constraints: { maxLength: 3 } }, { 'f.x': 'abcd' }).codes, ['forms.error.maxLength']);
  assert.deepEqual(roundTrip({ type: 'text', constraints: { maxLength: 3 } }, { 'f.x': 'äöü' }).codes, [], 'length counts characters');
  assert.deepEqual(roundTrip({ type: 'integer', constraints: { min: 1, max: 5 } }, { 'f.x': '0' }).codes, ['forms.error.min']);
  assert.deepEqual(roundTrip({ type: 'integer', constraints: { min: 1, max: 5 } }, { 'f.x': '6' }).codes, ['forms.error.max']);
  const money = roundTrip({ type: 'currency', constraints: { max: 13.5 } }, { 'f.x': '13,51' });
  assert.deepEqual(money.codes, ['forms.error.max']);
  assert.match(money.errors[0]!.message.de, /höchstens 13,5/);
  assert.match(money.errors[0]!.message.en!, /13\.5 or less/);
  assert.deepEqual(roundTrip({ type: 'currency', constraints: { max: 13.5 } }, { 'f.x': '13,50' }).codes, []);
  assert.deepEqual(roundTrip({ type: 'date', constraints: { max: 'today' } }, { 'f.x': '24.11.2026' }).codes, ['forms.error.maxDate']);
  assert.deepEqual(roundTrip({ type: 'date', constraints: { max: 'today' } }, { 'f.x': '23.11.2026' }).codes, []);
  assert.deepEqual(roundTrip({ type: 'date', constraints: { min: '2000-01-01' } }, { 'f.x': '31.12.1999' }).codes, ['forms.error.minDate']);
  assert.deepEqual(roundTrip({ type: 'time', constraints: { min: '08:00' } }, { 'f.x': '7:59' }).codes, ['forms.error.min']);
  const pattern = roundTrip({ type: 'text', constraints: { pattern: '[0-9]{4}' } }, { 'f.x': '12345' });
  assert.deepEqual(pattern.codes, ['forms.error.pattern'], 'the pattern matches the whole value');
  assert.deepEqual(roundTrip({ type: 'multi-choice', codeList: 'farben', constraints: { minItems: 2 } }, { 'f.x': 'rot' }).codes, ['forms.error.minItems']);
});

test('required and requiredIf: messages per kind of field; nothing required when hidden', () => {
  assert.deepEqual(roundTrip({ type: 'text', required: true }, {}).codes, ['forms.error.required']);
  assert.deepEqual(roundTrip({ type: 'choice', codeList: 'farben', required: true }, {}).codes, ['forms.error.requiredChoice']);
  assert.deepEqual(roundTrip({ type: 'yes-no', required: true }, {}).codes, ['forms.error.requiredChoice']);
  assert.deepEqual(roundTrip({ type: 'file', required: true }, {}).codes, ['forms.error.requiredFile']);
  assert.deepEqual(roundTrip({ type: 'text', required: true, visibleIf: 'false' }, {}).codes, []);
  const read = readStepAnswers(definition, 'person', { 'f.betrag': '10' }, {});
  const codes = validateStep(definition, 'person', read.answers, read.raw, TODAY).filter((e) => e.itemId === 'iban').map((e) => e.code);
  assert.deepEqual(codes, ['forms.error.required'], 'iban is required when an amount is given');
  const none = readStepAnswers(definition, 'person', { 'f.betrag': '0' }, {});
  assert.deepEqual(validateStep(definition, 'person', none.answers, none.raw, TODAY).filter((e) => e.itemId === 'iban'), []);
});

test('files come from the previous answers, are kept, can be removed by a button, and are checked', () => {
  const def = single({ type: 'file', constraints: { maxFiles: 2, mediaTypes: ['application/pdf'], maxSizeBytes: 1000 } });
  const a = { uploadId: 'a', fileName: 'a.pdf', mediaType: 'application/pdf', sizeBytes: 10 };
  const b = { uploadId: 'b', fileName: 'b.png', mediaType: 'image/png', sizeBytes: 10 };
  const kept = readStepAnswers(def, 's', { 'f.x': 'ignored' }, { x: [a] });
  assert.deepEqual(kept.answers.x, [a]);
  assert.deepEqual(kept.action, { kind: 'continue' });
  const removed = readStepAnswers(def, 's', { _action: 'remove-file:f.x:a' }, { x: [a] });
  assert.equal(removed.answers.x, undefined);
  assert.deepEqual(removed.action, { kind: 'remove-file', fieldId: 'x', uploadId: 'a', name: 'f.x' });
  assert.deepEqual(validateAnswers(def, { x: [a, b] }).map((e) => e.code), ['forms.error.fileType']);
  assert.deepEqual(validateAnswers(def, { x: [a, a, a] }).map((e) => e.code), ['forms.error.maxFiles']);
  assert.deepEqual(validateAnswers(def, { x: [{ ...a, sizeBytes: 1001 }] }).map((e) => e.code), ['forms.error.fileSize']);
  assert.deepEqual(validateAnswers(def, { x: [{ uploadId: 1 }] as never }).map((e) => e.code), ['forms.error.requiredFile'], 'a forged file reference is refused');
});

test('repeating groups: add and remove buttons, renumbered raw input, min/max, sibling rules per repetition', () => {
  const added = readStepAnswers(definition, 'tiere', { 'f.hunde.count': '1', 'f.hunde.0.rasse': 'Dackel', _action: 'add:f.hunde' }, {});
  assert.deepEqual(added.action, { kind: 'add', groupId: 'hunde', name: 'f.hunde' });
  assert.deepEqual(added.answers.hunde, [{ rasse: 'Dackel' }, {}]);
  assert.equal(added.raw['f.hunde.count'], '2');
  const body = { 'f.hunde.count': '3', 'f.hunde.0.rasse': 'A', 'f.hunde.1.rasse': 'B', 'f.hunde.2.rasse': 'C', 'f.hunde.2.seit': 'kaputt', 'f.hunde.2.impfungen.count': '1', 'f.hunde.2.impfungen.0.impfung_datum': '1.1.2020' };
  const removed = readStepAnswers(definition, 'tiere', { ...body, _action: 'remove:f.hunde.1' }, {});
  assert.deepEqual(removed.action, { kind: 'remove', groupId: 'hunde', index: 1, name: 'f.hunde' });
  assert.deepEqual((removed.answers.hunde as Answers[]).map((h) => h.rasse), ['A', 'C']);
  assert.deepEqual((removed.answers.hunde as Answers[])[1]!.impfungen, [{ impfung_datum: '2020-01-01' }]);
  assert.equal(removed.raw['f.hunde.1.rasse'], 'C');
  assert.equal(removed.raw['f.hunde.1.seit'], 'kaputt');
  assert.equal(removed.raw['f.hunde.1.impfungen.0.impfung_datum'], '1.1.2020');
  assert.equal(removed.raw['f.hunde.2.rasse'], undefined);
  // Adding beyond max does nothing; a forged count is capped at max.
  const atMax = readStepAnswers(definition, 'tiere', { 'f.hunde.count': '99', _action: 'add:f.hunde' }, {});
  assert.equal((atMax.answers.hunde as Answers[]).length, 3);
  assert.deepEqual(atMax.action, { kind: 'continue' });
  // min 1: no repetition is an error on the group.
  assert.deepEqual(validateAnswers(definition, { halter_name: 'X' }, TODAY).filter((e) => e.stepId === 'tiere').map((e) => [e.fieldId, e.code]),
    [['f.hunde', 'forms.error.minRepeat']]);
  // The rule on siblings is checked per repetition and shown at that repetition's field.
  const dogs = { halter_name: 'X', hunde: [{ rasse: 'A', listenhund: false, hund_geburt: '2020-01-01', seit: '2021-01-01' }, { rasse: 'B', listenhund: false, hund_geburt: '2020-01-01', seit: '2019-01-01' }] };
  assert.deepEqual(validateStep(definition, 'tiere', dogs, undefined, TODAY).map((e) => [e.fieldId, e.code]), [['f.hunde.1.seit', 'rule:seit_nach_geburt']]);
  // A field visible per repetition (gutachten only for a list dog) is required only there.
  const listed = { halter_name: 'X', hunde: [{ rasse: 'A', listenhund: false }, { rasse: 'B', listenhund: true }] };
  assert.deepEqual(validateStep(definition, 'tiere', listed, undefined, TODAY).map((e) => e.fieldId), ['f.hunde.1.gutachten']);
  assert.equal(isVisible(definition, 'gutachten', listed, [1]), true);
  assert.equal(isVisible(definition, 'gutachten', listed, [0]), false);
  // sum() over repetitions drives visibility.
  assert.equal(isVisible(definition, 'gesamtgewicht_ok', { hunde: [{ gewicht: 30 }, { gewicht: 25.5 }] }), true);
  assert.equal(isVisible(definition, 'gesamtgewicht_ok', { hunde: [{ gewicht: 30 }, { gewicht: 20 }] }), false);
});

test('answers of hidden fields are dropped, answers of other steps kept', () => {
  const previous: Answers = { halter_name: 'Max', heirat: '2000-01-01', hunde: [{ rasse: 'A' }] };
  const read = readStepAnswers(definition, 'person', { 'f.verheiratet': 'no', 'f.heirat': '1.1.2000' }, previous);
  assert.equal(read.answers.heirat, undefined, 'hidden when not married');
  assert.equal(read.answers.halter_name, 'Max');
  assert.deepEqual(read.answers.hunde, [{ rasse: 'A' }]);
  assert.equal(read.answers.verheiratet, false);
  const married = readStepAnswers(definition, 'person', { 'f.verheiratet': 'yes', 'f.heirat': '1.1.2000' }, previous);
  assert.equal(married.answers.heirat, '2000-01-01');
  // Within a repetition: the certificate of a dog that is no longer a list dog goes.
  const file = { uploadId: 'u', fileName: 'g.pdf', mediaType: 'application/pdf', sizeBytes: 1 };
  const pruned = pruneHiddenAnswers(definition, { hunde: [{ listenhund: false, gutachten: [file] }, { listenhund: true, gutachten: [file] }] });
  assert.deepEqual(pruned.hunde, [{ listenhund: false }, { listenhund: true, gutachten: [file] }]);
});

test('cross-field rules: checked on their step only when their fields are answered by then; all of them for the whole form', () => {
  const answers: Answers = { vorname: 'E', geburt: '2000-01-01', farbe: 'rot', verheiratet: true, heirat: '2010-01-01', anschrift: { street: 'A', houseNumber: '1', postcode: '12345', city: 'B', country: 'DE' }, nachweis: [{ uploadId: 'u', fileName: 'a.pdf', mediaType: 'application/pdf', sizeBytes: 1 }] };
  const errors = validateStep(definition, 'person', answers, undefined, TODAY);
  assert.deepEqual(errors.map((e) => [e.fieldId, e.code, e.message.de]), [['f.heirat', 'rule:heirat_nach_geburt', 'Die Eheschließung muss nach dem 16. Geburtstag liegen']]);
  assert.equal(errors[0]!.message.en, undefined, 'no English text given: the renderer falls back to German');
  const ok = { ...answers, heirat: '2016-01-01' };
  assert.deepEqual(validateStep(definition, 'person', ok, undefined, TODAY), []);
  const all = validateAnswers(definition, ok, TODAY);
  assert.deepEqual(all.map((e) => e.fieldId), ['f.halter_name', 'f.hunde'], 'the second step is still missing');
  assert.deepEqual(validateAnswers(definition, { ...ok, halter_name: 'X', hunde: [{ rasse: 'A', listenhund: false }] }, TODAY), []);
});

test('visible steps, and prefill from the identity', () => {
  const result = checkFormDefinition({
    format: 1, title: { de: 'T' },
    steps: [
      { id: 'a', title: { de: 'A' }, items: [{ kind: 'field', id: 'kind', type: 'yes-no', label: { de: 'Kind?' } }] },
      { id: 'b', title: { de: 'B' }, visibleIf: 'kind', items: [{ kind: 'field', id: 'kname', type: 'text', label: { de: 'Name' }, required: true }] },
    ],
  });
  assert.ok(result.ok);
  assert.deepEqual(visibleSteps(result.definition, {}).map((s) => s.id), ['a']);
  assert.deepEqual(visibleSteps(result.definition, { kind: true }).map((s) => s.id), ['a', 'b']);
  assert.deepEqual(validateAnswers(result.definition, { kind: false, kname: 'x' }), []);
  assert.deepEqual(pruneHiddenAnswers(result.definition, { kind: false, kname: 'x' }), { kind: false });

  const prefilled = applyPrefill(definition, { vorname: 'Schon da' }, {
    givenName: 'Erika', birthDate: '1964-08-12', address: { street: 'Heidestraße 17', postcode: '51147', city: 'Köln' },
  });
  assert.deepEqual(prefilled.prefilledIds, ['geburt', 'anschrift']);
  assert.equal(prefilled.answers.vorname, 'Schon da', 'an answer is never overwritten');
  assert.deepEqual(prefilled.answers.anschrift, { street: 'Heidestraße', houseNumber: '17', postcode: '51147', city: 'Köln', country: 'DE' });
});

test('a tampered draft (wrong value shapes) gives field errors, never an exception', () => {
  const tampered = { vorname: 5, geburt: 'gestern', farbe: ['rot'], verheiratet: 'ja', anschrift: 'Köln', kinder: 1.5, betrag: 'viel', farben: 'rot', hunde: 'viele', nachweis: 'x' } as unknown as Answers;
  const codes = validateAnswers(definition, tampered, TODAY).map((e) => `${e.itemId}:${e.code}`);
  for (const expected of ['vorname:forms.error.required', 'geburt:forms.error.date', 'farbe:forms.error.choice', 'verheiratet:forms.error.yesNo', 'anschrift:forms.error.required', 'kinder:forms.error.integer', 'betrag:forms.error.currency', 'farben:forms.error.choice', 'hunde:forms.error.minRepeat']) {
    assert.ok(codes.includes(expected), `${expected} in ${codes.join(', ')}`);
  }
});

test('navigation skips hidden steps; collectFiles lists the files of shown fields only', () => {
  const result = checkFormDefinition({
    format: 1, title: { de: 'T' },
    steps: [
      { id: 'a', title: { de: 'A' }, items: [{ kind: 'field', id: 'kind', type: 'yes-no', label: { de: 'Kind?' } }, { kind: 'field', id: 'datei', type: 'file', label: { de: 'Datei' } }] },
      { id: 'b', title: { de: 'B' }, visibleIf: 'kind', items: [{ kind: 'group', id: 'kinder', label: { de: 'Kind' }, repeat: { min: 0, max: 3 }, items: [{ kind: 'field', id: 'urkunde', type: 'file', label: { de: 'Urkunde' }, constraints: { maxFiles: 2 } }] }] },
      { id: 'c', title: { de: 'C' }, items: [{ kind: 'text', id: 'ende', text: { de: 'Ende' } }] },
    ],
  });
  assert.ok(result.ok);
  const d = result.definition;
  assert.equal(nextStepId(d, 'a', { kind: false }), 'c');
  assert.equal(nextStepId(d, 'a', { kind: true }), 'b');
  assert.equal(nextStepId(d, 'c', {}), undefined);
  assert.equal(previousStepId(d, 'c', { kind: false }), 'a');
  assert.equal(previousStepId(d, 'a', {}), undefined);
  const f = (id: string) => ({ uploadId: id, fileName: `${id}.pdf`, mediaType: 'application/pdf', sizeBytes: 1 });
  const answers: Answers = { kind: true, datei: [f('a')], kinder: [{ urkunde: [f('b'), f('c')] }, { urkunde: 'kaputt' } as never] };
  assert.deepEqual(collectFiles(d, answers).map((x) => [x.fieldId, x.file.uploadId]), [['f.datei', 'a'], ['f.kinder.0.urkunde', 'b'], ['f.kinder.0.urkunde', 'c']]);
  assert.deepEqual(collectFiles(d, { ...answers, kind: false }).map((x) => x.file.uploadId), ['a'], 'files on a hidden step do not count');
});
