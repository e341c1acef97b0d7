import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkDecisionText, checkTemplateText, chooseTemplate, DECISION_OUTCOMES, defaultTemplate } from './decision-text.ts';

const codes = (problems: { code: string }[]) => problems.map((p) => p.code);

test('a draft starts from the outcome\'s template, else the general one, else the platform\'s default for the outcome', () => {
  const refusal = { outcome: 'refused' as const, title: 'Ablehnung', body: 'Ablehnungstext' };
  const general = { outcome: 'general' as const, title: 'Allgemein', body: 'Allgemeiner Text' };
  assert.deepEqual(chooseTemplate('refused', [general, refusal], false), { title: 'Ablehnung', body: 'Ablehnungstext', source: 'outcome' });
  assert.deepEqual(chooseTemplate('granted', [general, refusal], false), { title: 'Allgemein', body: 'Allgemeiner Text', source: 'general' });
  const fallback = chooseTemplate('granted', [refusal], false);
  assert.equal(fallback.source, 'default');
  assert.equal(fallback.body, defaultTemplate('granted', false).body);
  assert.match(chooseTemplate('refused', [], false).body, /wird abgelehnt/);
});

test('the default texts: each outcome its own operative part; a refusal leaves reasons and legal remedy to fill in', () => {
  const bodies = DECISION_OUTCOMES.map((o) => defaultTemplate(o, false).body);
  assert.equal(new Set(bodies).size, DECISION_OUTCOMES.length);
  const refusal = defaultTemplate('refused').body;
  assert.match(refusal, /Gründe:\n\n\[\[Bitte begründen Sie die Ablehnung/);
  assert.match(refusal, /Rechtsbehelfsbelehrung:\n\[\[Bitte ergänzen Sie die Rechtsbehelfsbelehrung/);
  assert.match(defaultTemplate('granted', true).body, /Gebühr von \{\{gebuehr\}\}/);
  assert.match(defaultTemplate('granted', false).body, /keine Kosten/);
  // The default approval can be issued as it is; the others need the caseworker's words first.
  assert.deepEqual(checkDecisionText('granted', defaultTemplate('granted').body), []);
  assert.deepEqual(codes(checkDecisionText('refused', refusal)), ['REASONS_MISSING', 'REMEDY_MISSING']);
  assert.deepEqual(codes(checkDecisionText('partially_granted', defaultTemplate('partially_granted').body)), ['REASONS_MISSING']);
  assert.deepEqual(codes(checkDecisionText('other', defaultTemplate('other').body)), ['GAP_LEFT']);
});

test('a refusal is issued only with reasons and a legal remedy under their headings, and with no gap left', () => {
  const remedy = 'Rechtsbehelfsbelehrung:\nGegen diesen Bescheid kann innerhalb eines Monats Klage erhoben werden.';
  const letter = (reasons: string, more = '') => `Ihr Antrag wird abgelehnt.\n\nGründe:\n\n${reasons}\n\n${more}${remedy}\n\nMit freundlichen Grüßen\nStadt`;
  assert.deepEqual(checkDecisionText('refused', letter('Der Hund wird nicht im Stadtgebiet gehalten.')), []);
  assert.deepEqual(codes(checkDecisionText('refused', letter(''))), ['REASONS_MISSING'], 'an empty reasons section');
  assert.deepEqual(codes(checkDecisionText('refused', letter('   [[Bitte begründen.]]  '))), ['REASONS_MISSING'], 'only the gap: reported once, as missing reasons');
  assert.deepEqual(codes(checkDecisionText('refused', 'Ihr Antrag wird abgelehnt, weil er zu spät kam.\n\n' + remedy)), ['REASONS_MISSING'], 'no heading at all');
  assert.deepEqual(codes(checkDecisionText('refused', 'Ihr Antrag wird abgelehnt.\n\nGründe: Der Hund lebt in Rödental.')), ['REMEDY_MISSING']);
  assert.deepEqual(checkDecisionText('refused', 'Abgelehnt.\n\nII. Begründung\nDer Hund lebt in Rödental.\n\nRechtsbehelfsbelehrung: Klage binnen eines Monats.'), [], 'other spellings of the headings');
  assert.deepEqual(codes(checkDecisionText('refused', 'Ablehnung.\n\nGründe für die Ablehnung sind vielfältig.\n\n' + remedy)), ['REASONS_MISSING'], 'prose starting with the word is no heading');
  const gap = checkDecisionText('refused', letter('Der Hund lebt in Rödental.', '2. [[Kostenentscheidung]]\n\n'));
  assert.deepEqual(gap, [{ code: 'GAP_LEFT', gap: '[[Kostenentscheidung]]' }]);
  // An approval needs no reasons section, but no gap either.
  assert.deepEqual(checkDecisionText('granted', 'Ihrem Antrag wird stattgegeben.'), []);
  assert.deepEqual(codes(checkDecisionText('granted', 'Ihrem Antrag wird stattgegeben. [[Auflagen]]')), ['GAP_LEFT']);
  const long = checkDecisionText('other', `[[${'x'.repeat(200)}]]`)[0];
  assert.ok(long?.code === 'GAP_LEFT' && long.gap.length < 100, 'a long gap is shortened for the message');
});

test('a template for a refusal keeps the headings of reasons and legal remedy; others are free', () => {
  assert.deepEqual(checkTemplateText('refused', defaultTemplate('refused').body), []);
  assert.deepEqual(checkTemplateText('refused', 'Ihr Antrag wird abgelehnt.'), ['REASONS_HEADING', 'REMEDY_HEADING']);
  assert.deepEqual(checkTemplateText('partially_granted', 'Teilweise.\n\nGründe:\n[[…]]'), ['REMEDY_HEADING']);
  assert.deepEqual(checkTemplateText('granted', 'Ihrem Antrag wird stattgegeben.'), []);
  assert.deepEqual(checkTemplateText('general', 'Entscheidung.'), []);
});
