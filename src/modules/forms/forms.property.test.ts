/**
 * Property-based tests (fast-check): for random definitions (every field type, constraints,
 * visibility and requiredness rules, repeating groups), random posted bodies and random previous
 * answers, reading and validating never throws, and whatever passes the step's validation is
 * accepted by the validation of the whole form. Random strings into the parser never throw.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { buildStepView, buildSummaryView } from './build-views.ts';
import { checkFormDefinition } from './check-form-definition.ts';
import { FIELD_TYPES, type FieldType } from './form-definition.ts';
import { readStepAnswers } from './read-answers.ts';
import { validateAnswers, validateStep } from './validate-answers.ts';

const TODAY = { today: '2026-11-23' };

const constraintsFor = (type: FieldType): fc.Arbitrary<Record<string, unknown>> => {
  switch (type) {
    case 'text':
    case 'textarea':
      return fc.record({
        minLength: fc.integer({ min: 0, max: 3 }), maxLength: fc.integer({ min: 3, max: 30 }),
        pattern: fc.constantFrom('[a-zäöü ]+', '[0-9]{2,4}', '[A-Z][a-z]*', '.*'),
      }, { requiredKeys: [] });
    case 'email':
    case 'phone':
      return fc.record({ maxLength: fc.integer({ min: 5, max: 40 }) }, { requiredKeys: [] });
    case 'integer':
    case 'number':
    case 'currency':
      return fc.record({ min: fc.integer({ min: -100, max: 0 }), max: fc.integer({ min: 0, max: 5000 }) }, { requiredKeys: [] });
    case 'date':
      return fc.record({ min: fc.constantFrom('1990-01-01', '2020-02-29'), max: fc.constantFrom('today', '2030-12-31') }, { requiredKeys: [] });
    case 'time':
      return fc.record({ min: fc.constant('08:00'), max: fc.constant('18:30') }, { requiredKeys: [] });
    case 'multi-choice':
      return fc.record({ minItems: fc.integer({ min: 0, max: 1 }), maxItems: fc.integer({ min: 1, max: 3 }) }, { requiredKeys: [] });
    case 'file':
      return fc.record({ maxFiles: fc.integer({ min: 1, max: 3 }), mediaTypes: fc.constant(['application/pdf', 'image/png']), maxSizeBytes: fc.constant(5000) }, { requiredKeys: [] });
    default:
      return fc.constant({});
  }
};

/** A condition over an earlier top-level field. */
const conditionOn = (ids: string[]): fc.Arbitrary<string | undefined> =>
  ids.length === 0 ? fc.constant(undefined) : fc.option(fc.tuple(fc.constantFrom(...ids), fc.constantFrom('filled(#)', 'not filled(#)', '# = true', '# = "a"', 'len(#) > 2', '# > 3', '# in ["rot", "blau"]', 'count(#) >= 1')).map(([id, form]) => form.replaceAll('#', id)), { nil: undefined });

interface GeneratedField { kind: 'field'; id: string; type: FieldType; label: { de: string }; required: boolean; constraints: Record<string, unknown>; codeList?: string; visibleIf?: string; requiredIf?: string }

const fieldArb = (id: string, earlier: string[]): fc.Arbitrary<GeneratedField> =>
  fc.constantFrom(...FIELD_TYPES).chain((type) => fc.record({
    required: fc.boolean(), constraints: constraintsFor(type), visibleIf: conditionOn(earlier), requiredIf: conditionOn(earlier),
  }).map(({ required, constraints, visibleIf, requiredIf }) => ({
    kind: 'field' as const, id, type, label: { de: `Feld ${id}` }, required, constraints,
    ...(type === 'choice' || type === 'multi-choice' ? { codeList: 'farben' } : {}),
    ...(visibleIf ? { visibleIf } : {}), ...(requiredIf ? { requiredIf } : {}),
  })));

/** A one-step definition: 1–6 top-level fields, optionally a repeating group of 1–3 fields, optionally a rule. */
const definitionArb = fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 3 })).chain(([topCount, groupCount]) => {
  const topIds = Array.from({ length: topCount }, (_, i) => `f${i}`);
  const top = fc.tuple(...topIds.map((id, i) => fieldArb(id, topIds.slice(0, i))));
  const groupIds = Array.from({ length: groupCount }, (_, i) => `g${i}`);
  const group = groupCount === 0 ? fc.constant(undefined) : fc.record({
    fields: fc.tuple(...groupIds.map((id, i) => fieldArb(id, [...topIds, ...groupIds.slice(0, i)]))),
    min: fc.integer({ min: 0, max: 1 }), extra: fc.integer({ min: 0, max: 2 }),
  });
  const rule = fc.option(fc.tuple(fc.constantFrom(...topIds), fc.constantFrom('filled(#)', '# != "x"', 'len(#) < 10')), { nil: undefined });
  return fc.tuple(top, group, rule).map(([fields, g, r]) => ({
    format: 1, title: { de: 'Zufall' },
    codeLists: { farben: { title: { de: 'Farben' }, entries: [{ code: 'rot', label: { de: 'Rot' } }, { code: 'blau', label: { de: 'Blau' } }, { code: 'gelb', label: { de: 'Gelb' } }] } },
    steps: [{
      id: 'schritt', title: { de: 'Schritt' },
      items: [...fields, ...(g ? [{ kind: 'group', id: 'gruppe', label: { de: 'Gruppe' }, repeat: { min: g.min, max: g.min + 1 + g.extra }, items: g.fields }] : [])],
    }],
    rules: r ? [{ id: 'regel', assert: r[1].replaceAll('#', r[0]), message: { de: 'Regel verletzt' }, fields: [r[0]] }] : [],
  }));
});

/** Plausible and implausible input for a field of each type. */
const inputFor = (type: FieldType): fc.Arbitrary<string | string[] | undefined> => {
  const samples: Record<FieldType, string[]> = {
    text: ['Erika', 'abc', '12', 'Aa', ' '], textarea: ['Ein längerer Text', 'ab\r\ncd'], integer: ['12', '1.234', '-3', '12,5', '1e3', '99999999999999999999'],
    number: ['12,5', '1.234,5', '3.5', ',5', '1..2'], currency: ['12,50', '1.000 €', 'EUR 3', '0,001', '-1'],
    date: ['31.12.1980', '29.02.2024', '2024-02-30', '1.1.2025', '01.01.2031', '2020-02-29'], time: ['9:00', '18:30', '23:59', '7:60', '12.15 Uhr'],
    choice: ['rot', 'blau', 'lila', ''], 'multi-choice': ['rot', 'gelb'], 'yes-no': ['yes', 'no', 'ja'],
    address: [], iban: ['DE89 3704 0044 0532 0130 00', 'DE89370400440532013001', 'GB82WEST12345698765432', 'XX'],
    email: ['a@b.de', 'erika@example.org', 'a@', '@b'], phone: ['0911 123456', '+49 911 1234', '12', 'abc'], file: [],
  };
  const list = samples[type];
  const single = fc.oneof(list.length ? fc.constantFrom(...list) : fc.constant(''), fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }));
  return fc.oneof({ weight: 5, arbitrary: single }, { weight: 1, arbitrary: fc.array(single, { maxLength: 4 }) }, { weight: 1, arbitrary: fc.constant(undefined) });
};

const fileArb = fc.oneof(
  fc.record({ uploadId: fc.uuid(), fileName: fc.constantFrom('a.pdf', 'b.png', 'c.exe'), mediaType: fc.constantFrom('application/pdf', 'image/png', 'application/x-msdownload'), sizeBytes: fc.integer({ min: 0, max: 10_000 }) }),
  fc.anything(),
);

interface Case { json: unknown; body: Record<string, string | string[] | undefined>; previous: Record<string, unknown> }

/** A definition with a body that fills its fields (and group repetitions, count and action) at random. */
const caseArb = definitionArb.chain((json) => {
  const step = json.steps[0]!;
  const entries: [string, fc.Arbitrary<string | string[] | undefined>][] = [];
  const previous: [string, fc.Arbitrary<unknown>][] = [];
  const addField = (field: GeneratedField, name: string) => {
    if (field.type === 'address') {
      for (const part of ['street', 'houseNumber', 'postcode', 'city', 'country']) {
        const sample = { street: 'Hauptstraße', houseNumber: '1a', postcode: '97616', city: 'Bad Neustadt', country: 'DE' }[part]!;
        entries.push([`${name}.${part}`, fc.oneof(fc.constant(sample), fc.string({ maxLength: 10 }), fc.constant(undefined))]);
      }
    } else if (field.type !== 'file') {
      entries.push([name, inputFor(field.type)]);
    }
  };
  for (const item of step.items) {
    if (item.kind === 'field') {
      addField(item as GeneratedField, `f.${item.id}`);
      if ((item as GeneratedField).type === 'file') previous.push([item.id, fc.oneof(fc.array(fileArb, { maxLength: 4 }), fc.anything())]);
    } else {
      const group = item as { items: GeneratedField[] };
      for (let i = 0; i < 4; i++) for (const field of group.items) addField(field, `f.gruppe.${i}.${field.id}`);
      entries.push(['f.gruppe.count', fc.oneof(fc.constantFrom('0', '1', '2', '3', '4', '-1', 'x', '1e9'), fc.constant(undefined))]);
      previous.push(['gruppe', fc.oneof(fc.array(fc.dictionary(fc.constantFrom('g0', 'g1', 'g2'), fc.anything()), { maxLength: 4 }), fc.anything())]);
    }
  }
  entries.push(['_action', fc.oneof(fc.constant(undefined), fc.constantFrom('add:f.gruppe', 'remove:f.gruppe.0', 'remove:f.gruppe.3', 'remove:f.gruppe.x', 'remove-file:f.f0:x', 'add:', 'bogus'))]);
  return fc.record({
    json: fc.constant(json),
    body: fc.tuple(...entries.map(([, arb]) => arb)).map((values) => Object.fromEntries(entries.map(([name], i) => [name, values[i]]).filter(([, v]) => v !== undefined))),
    previous: previous.length ? fc.tuple(...previous.map(([, arb]) => arb)).map((values) => Object.fromEntries(previous.map(([id], i) => [id, values[i]]))) : fc.constant({}),
  });
}) as fc.Arbitrary<Case>;

test('random definitions are accepted by checkFormDefinition (the generator is sound)', () => {
  fc.assert(fc.property(definitionArb, (json) => {
    const result = checkFormDefinition(json);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
  }), { numRuns: 300 });
});

test('reading and validating random input never throws; a step without errors is a valid application', () => {
  let valid = 0;
  let invalid = 0;
  fc.assert(fc.property(caseArb, ({ json, body, previous }) => {
    const checked = checkFormDefinition(json);
    assert.ok(checked.ok);
    const definition = checked.definition;
    const read = readStepAnswers(definition, 'schritt', body, previous as never);
    const errors = validateStep(definition, 'schritt', read.answers, read.raw, TODAY);
    for (const error of errors) {
      assert.match(error.fieldId, /^f\.[A-Za-z0-9_.-]+$/);
      assert.ok(error.message.de.length > 0);
      assert.equal(error.stepId, 'schritt');
    }
    // Rendering the step (as after a failed submission) and the summary never throw either.
    buildStepView(definition, 'schritt', { answers: read.answers, raw: read.raw, errors, locale: 'en' });
    buildSummaryView(definition, read.answers, 'de');
    if (errors.length === 0) {
      valid++;
      assert.deepEqual(validateAnswers(definition, read.answers, TODAY), [], 'what the step accepts, the whole form accepts');
      // Reading the same answers back from a re-rendered form gives the same answers.
      assert.deepEqual(JSON.parse(JSON.stringify(read.answers)), read.answers, 'answers are plain JSON');
    } else {
      invalid++;
    }
  }), { numRuns: 1500 });
  assert.ok(valid > 50 && invalid > 50, `both outcomes are exercised (valid ${valid}, invalid ${invalid})`);
});

test('validating arbitrary answer objects (a tampered draft or API input) never throws', () => {
  fc.assert(fc.property(definitionArb, fc.dictionary(fc.constantFrom('f0', 'f1', 'f2', 'f3', 'gruppe', 'g0', '__proto__', 'constructor'), fc.anything()), (json, answers) => {
    const checked = checkFormDefinition(json);
    assert.ok(checked.ok);
    const errors = validateAnswers(checked.definition, answers as never, TODAY);
    assert.ok(Array.isArray(errors));
    buildSummaryView(checked.definition, answers as never, 'en');
  }), { numRuns: 800 });
});

test('random JSON is refused by checkFormDefinition with problems, never an exception', () => {
  fc.assert(fc.property(fc.oneof(fc.anything(), fc.json().map((s) => JSON.parse(s) as unknown)), (json) => {
    const result = checkFormDefinition(json);
    if (!result.ok) assert.ok(result.problems.length > 0);
  }), { numRuns: 500 });
});
