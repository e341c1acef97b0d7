/**
 * The text of a decision (Bescheid): a template per procedure and outcome (the tenant's template for
 * the outcome, else its general template, else the platform's default for the outcome), with
 * placeholders filled from the case. The caseworker edits the filled text before issuing; what is
 * issued is exactly what they saw.
 *
 * Two markers: `{{name}}` is a placeholder filled from the case; `[[…]]` is a gap the caseworker
 * must fill in (reasons, legal remedy). A decision with a gap left is not issued, and a refusal
 * (or partial refusal) needs reasons and a legal remedy (Rechtsbehelfsbelehrung, § 39 and § 37 (6)
 * VwVfG): both are sections of the text under their headings.
 */
import type { DecisionOutcome, DecisionTemplateOutcome } from '../../platform/db/schema.ts';

/** The outcomes of a decision, in the order they are offered. */
export const DECISION_OUTCOMES = ['granted', 'partially_granted', 'refused', 'other'] as const satisfies readonly DecisionOutcome[];

/** What a template can be for: an outcome, or 'general' for every outcome without its own. */
export const TEMPLATE_OUTCOMES = [...DECISION_OUTCOMES, 'general'] as const satisfies readonly DecisionTemplateOutcome[];

/** Outcomes that refuse the application at least in part: they must give reasons and the legal remedy. */
const ADVERSE: ReadonlySet<DecisionOutcome> = new Set(['refused', 'partially_granted']);

export interface DecisionValues {
  reference: string;
  procedure: string;
  applicant: string;
  authority: string;
  submittedAt: Date;
  today: Date;
  fee: string | null;
}

/** The placeholders a template may use, for the editor's help text. */
export const PLACEHOLDERS = ['antragsnummer', 'verfahren', 'antragsteller', 'behoerde', 'eingangsdatum', 'datum', 'gebuehr'] as const;

const REMEDY = [
  'Rechtsbehelfsbelehrung:',
  'Gegen diesen Bescheid kann innerhalb eines Monats nach seiner Bekanntgabe Klage bei dem zuständigen Bayerischen Verwaltungsgericht erhoben werden. '
  + 'Die Klage kann auch elektronisch nach Maßgabe der für den Rechtsverkehr mit den Gerichten geltenden Vorschriften erhoben werden.',
].join('\n');

/**
 * The remedy against a refusal depends on the authority and the subject (objection or action, which
 * court or office): the platform cannot know it, so its default leaves a gap that must be filled.
 */
const REMEDY_GAP = [
  'Rechtsbehelfsbelehrung:',
  '[[Bitte ergänzen Sie die Rechtsbehelfsbelehrung: welcher Rechtsbehelf (Widerspruch oder Klage) gegen diesen Bescheid gegeben ist, '
  + 'bei welcher Stelle (mit Anschrift) er in welcher Form und innerhalb welcher Frist einzulegen ist.]]',
].join('\n');

/** The decision on costs: a fee where the procedure charges one with the decision, else none. */
const COSTS = {
  granted: { fee: '2. Die Kosten des Verfahrens tragen Sie. Es wird eine Gebühr von {{gebuehr}} festgesetzt.', free: '2. Für diesen Bescheid werden keine Kosten erhoben.' },
  partially_granted: { fee: '2. Es wird eine Gebühr von {{gebuehr}} festgesetzt.', free: '2. Für diesen Bescheid werden keine Kosten erhoben.' },
} as const;

const OPENING = ['Sehr geehrte Damen und Herren,', 'auf Ihren Antrag vom {{eingangsdatum}} (Antragsnummer {{antragsnummer}}) ergeht folgender Bescheid:'];
const CLOSING = 'Mit freundlichen Grüßen\n{{behoerde}}';

const defaultBodies = (costs: 'fee' | 'free'): Record<DecisionOutcome, string> => ({
  granted: [
    ...OPENING,
    '1. Ihrem Antrag „{{verfahren}}“ wird stattgegeben.',
    COSTS.granted[costs],
    'Gründe:',
    'Die Voraussetzungen sind erfüllt. Die Entscheidung über die Kosten beruht auf dem Kostengesetz und der Kostensatzung.',
    REMEDY,
    CLOSING,
  ].join('\n\n'),
  partially_granted: [
    ...OPENING,
    '1. Ihrem Antrag „{{verfahren}}“ wird teilweise stattgegeben. Im Übrigen wird er abgelehnt.',
    COSTS.partially_granted[costs],
    'Gründe:',
    '[[Bitte begründen Sie, in welchem Umfang dem Antrag entsprochen wird und warum er im Übrigen abgelehnt wird.]]',
    REMEDY,
    CLOSING,
  ].join('\n\n'),
  refused: [
    ...OPENING,
    'Ihr Antrag „{{verfahren}}“ wird abgelehnt.',
    'Gründe:',
    '[[Bitte begründen Sie die Ablehnung: der Sachverhalt, die Rechtsgrundlage und warum ihre Voraussetzungen nicht erfüllt sind.]]',
    REMEDY_GAP,
    CLOSING,
  ].join('\n\n'),
  other: [
    ...OPENING,
    '[[Bitte geben Sie die Entscheidung an, zum Beispiel die Einstellung des Verfahrens.]]',
    'Gründe:',
    '[[Bitte begründen Sie die Entscheidung.]]',
    REMEDY_GAP,
    CLOSING,
  ].join('\n\n'),
});

/** The platform's default template for an outcome; `charged`: whether a fee is set with the decision. */
export function defaultTemplate(outcome: DecisionOutcome, charged = true): { title: string; body: string } {
  return { title: 'Bescheid', body: defaultBodies(charged ? 'fee' : 'free')[outcome] };
}

/**
 * The template a draft starts from: the outcome's own, else the general one, else the platform's
 * default. `source` says which, for the editor.
 */
export function chooseTemplate(
  outcome: DecisionOutcome,
  templates: readonly { outcome: DecisionTemplateOutcome; title: string; body: string }[],
  charged: boolean,
): { title: string; body: string; source: 'outcome' | 'general' | 'default' } {
  const own = templates.find((t) => t.outcome === outcome);
  if (own) return { title: own.title, body: own.body, source: 'outcome' };
  const general = templates.find((t) => t.outcome === 'general');
  if (general) return { title: general.title, body: general.body, source: 'general' };
  return { ...defaultTemplate(outcome, charged), source: 'default' };
}

const dateFormat = new Intl.DateTimeFormat('de-DE', { dateStyle: 'long', timeZone: 'Europe/Berlin' });

/** Fills the placeholders; unknown ones stay as written so that the caseworker sees them. */
export function fillTemplate(text: string, values: DecisionValues): string {
  const map: Record<string, string> = {
    antragsnummer: values.reference, verfahren: values.procedure, antragsteller: values.applicant, behoerde: values.authority,
    eingangsdatum: dateFormat.format(values.submittedAt), datum: dateFormat.format(values.today), gebuehr: values.fee ?? '0,00\u00a0€',
  };
  return text.replace(/\{\{\s*([a-z]+)\s*\}\}/g, (whole, name: string) => map[name] ?? whole);
}

// --- checking a text before it is issued ------------------------------------------------------------

const GAP = /\[\[[\s\S]*?\]\]/g;

type SectionKind = 'reasons' | 'remedy' | 'other';

/**
 * A heading line: "Gründe:", "Begründung", "II. Gründe", "Rechtsbehelfsbelehrung:" (text may follow
 * the colon on the same line). Prose that merely starts with the word ("Gründe für …") is none.
 */
const HEADING = /^\s*(?:(?:[IVX]+|\d+|[A-H])\.\s*)?(Gründe|Begründung|Rechtsbehelfsbelehrung|Hinweise?|Mit freundlichen Grüßen)\s*(?::\s*(.*))?$/i;

interface Section { kind: SectionKind; text: string; lines: [number, number] }

function sections(body: string): Section[] {
  const lines = body.split(/\r?\n/);
  const found: { kind: SectionKind; line: number; rest: string }[] = [];
  lines.forEach((line, i) => {
    const m = HEADING.exec(line);
    if (!m) return;
    const word = m[1]!.toLowerCase();
    const kind: SectionKind = word === 'gründe' || word === 'begründung' ? 'reasons' : word === 'rechtsbehelfsbelehrung' ? 'remedy' : 'other';
    found.push({ kind, line: i, rest: m[2] ?? '' });
  });
  return found.map((h, n) => {
    const end = n + 1 < found.length ? found[n + 1]!.line : lines.length;
    return { kind: h.kind, text: [h.rest, ...lines.slice(h.line + 1, end)].join('\n').trim(), lines: [h.line, end] };
  });
}

/** What keeps a text from being issued: reasons or legal remedy missing (refusals), gaps left. */
export type DecisionTextProblem = { code: 'REASONS_MISSING' } | { code: 'REMEDY_MISSING' } | { code: 'GAP_LEFT'; gap: string };

/**
 * Checks a decision's text before it is issued. A refusal or partial refusal needs a "Gründe:"
 * section and a "Rechtsbehelfsbelehrung:" section, each with text that is not a gap; no outcome
 * may keep a gap. A section reported as missing is not reported again for the gap it holds.
 */
export function checkDecisionText(outcome: DecisionOutcome, body: string): DecisionTextProblem[] {
  const problems: DecisionTextProblem[] = [];
  const lines = body.split(/\r?\n/);
  const reported = new Set<number>();
  if (ADVERSE.has(outcome)) {
    const found = sections(body);
    for (const kind of ['reasons', 'remedy'] as const) {
      const section = found.find((s) => s.kind === kind && s.text.replace(GAP, '').trim() !== '');
      if (section) continue;
      problems.push({ code: kind === 'reasons' ? 'REASONS_MISSING' : 'REMEDY_MISSING' });
      for (const s of found.filter((f) => f.kind === kind)) for (let i = s.lines[0]; i < s.lines[1]; i += 1) reported.add(i);
    }
  }
  const rest = lines.filter((_, i) => !reported.has(i)).join('\n');
  const gap = rest.match(GAP)?.[0];
  if (gap) problems.push({ code: 'GAP_LEFT', gap: gap.length > 90 ? `${gap.slice(0, 86)} …]]` : gap });
  return problems;
}

/** What a template for a refusal must have: the headings of reasons and legal remedy (the text may be a gap). */
export type TemplateTextProblem = 'REASONS_HEADING' | 'REMEDY_HEADING';

/** Checks a template: one for a refusal or partial refusal keeps the sections for reasons and legal remedy. */
export function checkTemplateText(outcome: DecisionTemplateOutcome, body: string): TemplateTextProblem[] {
  if (outcome === 'general' || !ADVERSE.has(outcome)) return [];
  const kinds = new Set(sections(body).map((s) => s.kind));
  return [...(kinds.has('reasons') ? [] : ['REASONS_HEADING' as const]), ...(kinds.has('remedy') ? [] : ['REMEDY_HEADING' as const])];
}
