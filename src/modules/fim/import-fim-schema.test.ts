import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import fc from 'fast-check';
import { formDefinition, ID_PATTERN, type FieldItem, type FormDefinition, type FormItem, type GroupItem } from '../forms/form-definition.ts';
import { checkDefinition, importFimSchema, type ImportFileInput } from './index.ts';

const FIM = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../reference-data/fim');
const S94 = path.join(FIM, 'xdf2-real/S00000094V1.0_xdf2');
const S246 = path.join(FIM, 'xdf2-real/S00000246v1.1_xdf2');

function file(p: string, name = path.basename(p)): ImportFileInput {
  return { name, bytes: readFileSync(p) };
}
function folder(dir: string, skip: string[] = []): ImportFileInput[] {
  return readdirSync(dir).filter((n) => n.endsWith('.xml') && !skip.includes(n)).sort().map((n) => file(path.join(dir, n)));
}
function xml(name: string, text: string): ImportFileInput {
  return { name, bytes: new TextEncoder().encode(text) };
}
function allItems(d: FormDefinition): FormItem[] {
  const out: FormItem[] = [];
  const visit = (items: FormItem[]) => { for (const i of items) { out.push(i); if (i.kind === 'group') visit(i.items); } };
  for (const s of d.steps) visit(s.items);
  return out;
}
function fieldById(d: FormDefinition, id: string): FieldItem {
  const item = allItems(d).find((i) => i.id === id);
  assert.ok(item && item.kind === 'field', `field ${id}`);
  return item;
}
function groupById(d: FormDefinition, id: string): GroupItem {
  const item = allItems(d).find((i) => i.id === id);
  assert.ok(item && item.kind === 'group', `group ${id}`);
  return item;
}
const v2simple = readFileSync(path.join(FIM, 'xdf-synthetic/v2/simple.xml'), 'utf8');
const v3simple = readFileSync(path.join(FIM, 'xdf-synthetic/v3/simple.xml'), 'utf8');

const EVERY_SCHEMA: [string, ImportFileInput[]][] = [
  ['S00000094 with its code lists', folder(S94)],
  ['S00000246 with its code lists', folder(S246)],
  ...readdirSync(path.join(FIM, 'xdf-synthetic/v2')).map((n): [string, ImportFileInput[]] => [`v2/${n}`, [file(path.join(FIM, 'xdf-synthetic/v2', n))]]),
  ...readdirSync(path.join(FIM, 'xdf-synthetic/v3')).map((n): [string, ImportFileInput[]] => [`v3/${n}`, [file(path.join(FIM, 'xdf-synthetic/v3', n))]]),
];

for (const [label, files] of EVERY_SCHEMA) {
  test(`${label} imports without errors into a valid definition`, () => {
    const { definition, report } = importFimSchema(files);
    assert.deepEqual(report.errors, []);
    assert.ok(definition, 'a definition');
    assert.ok(formDefinition.safeParse(definition).success);
    assert.deepEqual(checkDefinition(definition), []);
    for (const item of allItems(definition)) assert.match(item.id, ID_PATTERN);
    assert.equal(report.files.filter((f) => f.role === 'schema').length, 1);
  });
}

test('S00000094: steps, types, constraints, code lists, cardinalities and ids of a real schema', () => {
  const { definition: d, report } = importFimSchema(folder(S94));
  assert.ok(d);
  assert.equal(d.source, 'FIM S00000094 V1.0 (XDatenfelder 2.0)');
  assert.match(d.title.de, /^Benachrichtigung über die Beschäftigung einer schwangeren oder stillenden Frau/);
  assert.deepEqual(report.schema, { id: 'S00000094', version: '1.0', name: 'Benachrichtigung über die Beschäftigung einer schwangeren oder stillenden Frau', xdfVersion: '2.0', message: 'stammdatenschema' });
  assert.equal(d.steps[0]!.id, 'G00000253');
  assert.equal(d.steps[0]!.title.de, 'Informationen zum Arbeitgeber / zur Arbeitgeberin');

  // Postleitzahl: text with length and pattern from the 2.0 JSON praezisierung.
  const plz = fieldById(d, 'F60000246');
  assert.equal(plz.type, 'text');
  assert.equal(plz.label.de, 'Postleitzahl');
  assert.equal(plz.source, 'F60000246 V1.1');
  assert.deepEqual(plz.constraints, { minLength: 5, maxLength: 5, pattern: '([0]{1}[1-9]{1}|[1-9]{1}[0-9]{1})[0-9]{3}' });
  // The same Datenfeld in another group gets its own id.
  assert.equal(fieldById(d, 'F60000246_2').label.de, 'Postleitzahl');
  assert.equal(fieldById(d, 'F60000227').label.de, 'Familienname');
  assert.equal(fieldById(d, 'F60000227_2').label.de, 'Familienname');

  // Long text: textarea; numbers: integer with range; bool: yes-no; required from 1:1.
  assert.equal(fieldById(d, 'F60000319').type, 'textarea');
  assert.equal(fieldById(d, 'F60000319').required, true);
  assert.equal(fieldById(d, 'F00002483').type, 'text', 'an e-mail address (254 characters, with a pattern) is one line');
  const jahr = fieldById(d, 'F60000233');
  assert.equal(jahr.type, 'integer');
  assert.deepEqual(jahr.constraints, { min: 1850, max: 2080 });
  assert.equal(jahr.required, true);
  assert.equal(fieldById(d, 'F60000231').required, false, '0:1 is optional');
  assert.equal(fieldById(d, 'F00000464').type, 'yes-no');
  assert.equal(fieldById(d, 'F00000467').type, 'date');
  assert.match(fieldById(d, 'F60000243').help?.de ?? '', /Straße/);

  // Code lists: genericode code and name columns, radio up to 7 entries, select above.
  const wo = fieldById(d, 'F60000263');
  assert.equal(wo.type, 'choice');
  assert.equal(wo.display, 'radio');
  assert.equal(wo.codeList, 'C60000006');
  assert.deepEqual(d.codeLists.C60000006!.entries, [
    { code: '001', label: { de: 'in Deutschland' } }, { code: '002', label: { de: 'außerhalb von Deutschland' } },
  ]);
  assert.equal(d.codeLists.C60000006!.source, 'urn:de:fim:codeliste:anschrift-inland-oder-ausland 2021-06-18');
  const staat = fieldById(d, 'F60000261');
  assert.equal(staat.display, 'select');
  const staaten = d.codeLists[staat.codeList!]!;
  assert.equal(staaten.entries.length, 197);
  assert.deepEqual(staaten.entries[0], { code: '000', label: { de: 'Deutschland' } });

  // An optional group: its required fields are required once anything in it is filled.
  const strasse = fieldById(d, 'F60000243');
  assert.equal(strasse.required, false);
  assert.equal(strasse.requiredIf, 'filled(F60000244) or filled(F60000246) or filled(F60000247) or filled(F60000248)');
  // 2:5 Anschriftzeile: a repeating group around the field; min 0 inside the optional foreign address.
  const zeilen = groupById(d, 'F60000262_liste');
  assert.deepEqual(zeilen.repeat, { min: 0, max: 5 });
  assert.equal((zeilen.items[0] as FieldItem).required, true);
  assert.equal(staat.requiredIf, 'count(F60000262_liste) > 0');
  assert.ok(report.untranslated.some((u) => u.fimId === 'F60000262' && u.reason === 'min-in-optional-group'));

  // Rules are prose: reported with id, name, text and the definition ids they name.
  const rule = report.untranslated.find((u) => u.fimId === 'R00000849');
  assert.deepEqual(rule, {
    kind: 'rule', fimId: 'R00000849', version: '1.0', name: 'Beschäftigungsverhältnis Frau Sonstiges', reason: 'rule-prose',
    text: 'Wenn im Datenfeld F00000463 der Wert 009 angegeben wurde, dann soll F00000601 zum Pflichtfeld werden.', ids: ['F00000463', 'F00000601'],
    suggestion: { target: 'F00000601', requiredIf: 'F00000463 = "009"' },
  });
  // A rule naming a Datenfeld used twice gets no suggestion: which of its ids is meant?
  assert.equal(report.untranslated.find((u) => u.fimId === 'R00001223')?.suggestion, undefined);
  assert.deepEqual(report.untranslated.find((u) => u.fimId === 'R60000023')?.suggestion, { target: 'F60000232', requiredIf: 'filled(F60000231)' });
  assert.equal(report.summary?.untranslatedRules, 13);
  assert.deepEqual(d.rules, []);
  assert.deepEqual({ steps: report.summary?.steps, fields: report.summary?.fields, codeLists: report.summary?.codeLists }, { steps: 4, fields: 44, codeLists: 4 });
});

test('S00000246: unbounded files and repeats get a maximum of 99, reported', () => {
  const { definition: d, report } = importFimSchema(folder(S246));
  assert.ok(d);
  const identity = fieldById(d, 'F00001768');
  assert.equal(identity.type, 'file');
  assert.equal(identity.constraints.maxFiles, 99);
  assert.equal(identity.required, true);
  assert.ok(report.untranslated.some((u) => u.fimId === 'F00001768' && u.reason === 'unbounded-max' && u.detail === '1:* -> 1:99'));
  assert.equal(report.summary?.codeLists, 7);
  assert.ok(report.files.every((f) => f.role === 'schema' || f.role === 'code-list'));
});

test('XDatenfelder 3.0: attribute praezisierung, help texts, a Datenfeldgruppe message as the form', () => {
  const { definition: d, report } = importFimSchema([xml('simple.xml', v3simple)]);
  assert.ok(d);
  assert.equal(d.source, 'FIM G60000000088 V1.2.0 (XDatenfelder 3.0)');
  assert.equal(d.steps[0]!.title.de, 'Anschrift in Deutschland');
  const strasse = fieldById(d, 'F60000000243');
  assert.deepEqual(strasse.constraints, { minLength: 1, maxLength: 55 });
  assert.equal(strasse.help?.de, 'Geben Sie an, wie die Straße heißt.');
  assert.equal(strasse.required, false, 'the only field of an optional group');
  assert.equal(report.schema?.xdfVersion, '3.0.0');
  // 3.0 rules carry a script that is not an expression: reported with the script.
  assert.ok(report.untranslated.some((u) => u.fimId === 'R60000000019' && u.reason === 'rule-script' && u.detail === 'some script content'));
});

test('XDatenfelder 3.0: hidden fields are left out and locked ones shown as text, both reported', () => {
  const hidden = importFimSchema([xml('h.xml', v3simple.replace('<code>input</code>', '<code>hidden</code>'))]);
  assert.ok(hidden.definition);
  assert.ok(hidden.report.untranslated.some((u) => u.fimId === 'F60000000243' && u.reason === 'hidden-field'));
  assert.equal(allItems(hidden.definition).filter((i) => i.kind === 'field').length, 0);
  const locked = importFimSchema([xml('l.xml', v3simple.replace('<code>input</code>', '<code>locked</code>').replace('<xdf:inhalt/>', '<xdf:inhalt>Hauptstraße</xdf:inhalt>'))]);
  assert.ok(locked.definition);
  const item = allItems(locked.definition).find((i) => i.id === 'F60000000243');
  assert.deepEqual(item && item.kind === 'text' ? item.text : null, { de: 'Straße: Hauptstraße' });
  assert.ok(locked.report.untranslated.some((u) => u.reason === 'locked-field'));
});

test('a simple machine-readable script becomes a cross-field rule in the rule language', () => {
  const withScript = v2simple.replace('<xdf:script>function script() {}</xdf:script>', '<xdf:script>function script() { return F60000227 != "" &amp;&amp; !(F60000227 == \'Muster\'); }</xdf:script>');
  const { definition: d, report } = importFimSchema([xml('s.xml', withScript)]);
  assert.ok(d);
  assert.deepEqual(d.rules, [{
    id: 'R60000037', assert: 'filled(F60000227) and not (F60000227 = "Muster")', message: { de: 'Eine Definition' }, fields: ['F60000227'], source: 'R60000037 V1.2',
  }]);
  assert.deepEqual(report.translatedRules.map((r) => r.ruleId), ['R60000037']);
  assert.equal(report.summary?.translatedRules, 1);
  // A script with statements stays with the editor.
  const complex = importFimSchema([xml('c.xml', v2simple.replace('function script() {}', 'function script() { var x = 1; return x; }'))]);
  assert.ok(complex.report.untranslated.some((u) => u.fimId === 'R60000037' && u.reason === 'rule-script'));
});

test('a missing code list is reported and the field falls back to text', () => {
  const { definition: d, report } = importFimSchema(folder(S94, ['C60000020_genericode.xml']));
  assert.ok(d);
  assert.deepEqual(report.errors, []);
  assert.equal(fieldById(d, 'F60000261').type, 'text');
  assert.equal(fieldById(d, 'F60000261').codeList, undefined);
  const missing = report.untranslated.find((u) => u.reason === 'code-list-missing');
  assert.equal(missing?.fimId, 'C60000020');
  assert.equal(missing?.detail, 'urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:staat 2021-02-19');
  assert.deepEqual(missing?.ids, ['F60000261']);
  assert.equal(d.codeLists.C60000020, undefined);
});

test('an unknown datentyp, unreadable praezisierung and an unusable pattern are reported, not fatal', () => {
  const odd = v2simple
    .replace('<code>text</code>', '<code>blob</code>')
    .replace('{"minLength":"1","maxLength":"120"}', '{"minLength":"1",');
  const a = importFimSchema([xml('odd.xml', odd)]);
  assert.ok(a.definition);
  assert.equal(fieldById(a.definition, 'F60000227').type, 'text');
  assert.deepEqual(a.report.untranslated.filter((u) => u.kind === 'field').map((u) => u.reason).sort(), ['praezisierung-invalid', 'unknown-datentyp']);
  const pattern = importFimSchema([xml('p.xml', v2simple.replace('{"minLength":"1","maxLength":"120"}', '{"pattern":"\\\\p{IsBasicLatin}+([a-z"}'))]);
  assert.ok(pattern.definition);
  assert.equal(fieldById(pattern.definition, 'F60000227').constraints.pattern, undefined);
  assert.ok(pattern.report.untranslated.some((u) => u.reason === 'pattern-invalid'));
});

test('unreadable input gives a report with the reason, never an exception', () => {
  const cases: [string, ImportFileInput[], string, { line?: number }?][] = [
    ['malformed XML', [xml('bad.xml', '<?xml version="1.0"?>\n<a>\n  <b>\n</a>')], 'malformed-xml', { line: 3 }],
    ['a non-FIM XML', [xml('other.xml', '<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>')], 'not-xdatenfelder'],
    ['a DOCTYPE bomb', [xml('bomb.xml', '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n<lolz>&lol2;</lolz>')], 'doctype', { line: 2 }],
    ['an external entity', [xml('xxe.xml', '<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>')], 'doctype'],
    ['an empty file', [xml('empty.xml', '')], 'empty-file'],
    ['white space only', [xml('blank.xml', '  \n ')], 'empty-file'],
    ['invalid UTF-8', [{ name: 'bytes.xml', bytes: new Uint8Array([0x3c, 0x61, 0x3e, 0xff, 0xfe, 0x3c, 0x2f, 0x61, 0x3e]) }], 'encoding'],
    ['an unknown XDatenfelder version', [xml('v1.xml', '<x:xdatenfelder.stammdatenschema.0102 xmlns:x="urn:xoev-de:fim:standard:xdatenfelder_1"/>')], 'unsupported-version'],
    ['an XDatenfelder message without schema', [xml('header.xml', '<x:xdatenfelder.stammdatenschema.0102 xmlns:x="urn:xoev-de:fim:standard:xdatenfelder_2"><x:header/></x:xdatenfelder.stammdatenschema.0102>')], 'not-a-schema'],
    ['only code lists', [file(path.join(S94, 'C60000006_genericode.xml'))], 'no-schema'],
    ['no files', [], 'no-schema'],
    ['two schemas', [xml('a.xml', v2simple), xml('b.xml', v3simple)], 'several-schemas'],
  ];
  for (const [label, files, code, at] of cases) {
    const { definition, report } = importFimSchema(files);
    assert.equal(definition, undefined, label);
    assert.equal(report.errors[0]?.code, code, `${label}: ${JSON.stringify(report.errors)}`);
    if (at?.line) assert.equal(report.errors[0]?.line, at.line, label);
  }
});

test('a broken code list file next to a good schema is an error of that file; the import goes on', () => {
  const { definition, report } = importFimSchema([...folder(S94, ['C60000006_genericode.xml']), xml('C60000006_genericode.xml', '<gc:CodeList')]);
  assert.ok(definition);
  assert.deepEqual(report.errors.map((e) => [e.file, e.code]), [['C60000006_genericode.xml', 'malformed-xml']]);
  assert.ok(report.untranslated.some((u) => u.fimId === 'C60000006' && u.reason === 'code-list-missing'));
});

test('deeply nested groups are refused with a report', () => {
  const group = (inner: string, n: number) =>
    `<x:struktur><x:anzahl>1:1</x:anzahl><x:enthaelt><x:datenfeldgruppe><x:identifikation><x:id>G${n}</x:id></x:identifikation>${inner}</x:datenfeldgruppe></x:enthaelt></x:struktur>`;
  let inner = '';
  for (let n = 0; n < 60; n++) inner = group(inner, n);
  const doc = `<x:xdatenfelder.stammdatenschema.0102 xmlns:x="urn:xoev-de:fim:standard:xdatenfelder_2"><x:stammdatenschema><x:identifikation><x:id>S1</x:id></x:identifikation>${inner}</x:stammdatenschema></x:xdatenfelder.stammdatenschema.0102>`;
  const { definition, report } = importFimSchema([xml('deep.xml', doc)]);
  assert.equal(definition, undefined);
  assert.equal(report.errors[0]?.code, 'too-deep');
});

test('property: mutated schemas never throw; a produced definition is always valid', () => {
  const sources = [v2simple, v3simple, readFileSync(path.join(FIM, 'xdf-synthetic/v2/select.xml'), 'utf8')];
  const mutation = fc.record({
    source: fc.integer({ min: 0, max: sources.length - 1 }),
    edits: fc.array(fc.record({ at: fc.nat(), cut: fc.nat({ max: 40 }), insert: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('<', '>', '&', '"', '</xdf:struktur>', '<xdf:anzahl>0:*</xdf:anzahl>', '<code>select</code>', '<code>num</code>', '{"pattern":"(("}', '<!DOCTYPE x>', '&#0;', 'xdatenfelder_3.0.0')) }), { maxLength: 6 }),
  });
  fc.assert(fc.property(mutation, ({ source, edits }) => {
    let text = sources[source]!;
    for (const e of edits) {
      const at = e.at % (text.length + 1);
      text = text.slice(0, at) + e.insert + text.slice(at + e.cut);
    }
    const { definition, report } = importFimSchema([xml('m.xml', text)]);
    assert.ok(Array.isArray(report.errors));
    if (definition) assert.deepEqual(checkDefinition(definition), []);
    else assert.ok(report.errors.length > 0, 'no definition without an error');
    assert.ok(!report.errors.some((e) => e.code === 'internal' || e.code === 'invalid-definition'), JSON.stringify(report.errors));
  }), { numRuns: 300, seed: 20261123 });
});

test('property: a mutated real schema with its code lists never throws', () => {
  const lists = folder(S94).filter((f) => f.name.startsWith('C'));
  const schema = readFileSync(path.join(S94, 'S00000094V1.0_xdf2.xml'), 'utf8');
  fc.assert(fc.property(fc.nat(), fc.nat({ max: 200 }), fc.constantFrom('', '<', '</xdf:enthaelt>', '<xdf:anzahl>x</xdf:anzahl>', '<code>label</code>', 'F60000246'), (at, cut, insert) => {
    const i = at % schema.length;
    const { definition, report } = importFimSchema([...lists, xml('S.xml', schema.slice(0, i) + insert + schema.slice(i + cut))]);
    if (definition) assert.deepEqual(checkDefinition(definition), []);
    assert.ok(!report.errors.some((e) => e.code === 'internal' || e.code === 'invalid-definition'), JSON.stringify(report.errors));
  }), { numRuns: 25, seed: 7 });
});

test('ids that are words of the rule language are changed, so expressions can name them', () => {
  const renamed = v2simple.replace('<xdf:id>F60000227</xdf:id>', '<xdf:id>not</xdf:id>');
  const { definition } = importFimSchema([xml('r.xml', renamed)]);
  assert.ok(definition);
  assert.equal(allItems(definition).filter((i) => i.kind === 'field')[0]?.id, 'not_');
});
