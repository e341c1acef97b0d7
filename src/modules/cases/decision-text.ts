/**
 * The text of a decision (Bescheid): a template per procedure (the tenant's, else the platform's
 * default for the outcome), with placeholders filled from the case. The caseworker edits the
 * filled text before issuing; what is issued is exactly what they saw.
 */
import type { DecisionOutcome } from '../../platform/db/schema.ts';

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

/** The decision on costs: a fee where the procedure charges one with the decision, else none. */
const COSTS = {
  granted: { fee: '2. Die Kosten des Verfahrens tragen Sie. Es wird eine Gebühr von {{gebuehr}} festgesetzt.', free: '2. Für diesen Bescheid werden keine Kosten erhoben.' },
  partially_granted: { fee: '2. Es wird eine Gebühr von {{gebuehr}} festgesetzt.', free: '2. Für diesen Bescheid werden keine Kosten erhoben.' },
} as const;

const defaultBodies = (costs: 'fee' | 'free'): Record<DecisionOutcome, string> => ({
  granted: [
    'Sehr geehrte Damen und Herren,',
    'auf Ihren Antrag vom {{eingangsdatum}} (Antragsnummer {{antragsnummer}}) ergeht folgender Bescheid:',
    '1. Ihrem Antrag „{{verfahren}}“ wird stattgegeben.',
    COSTS.granted[costs],
    'Gründe:',
    'Die Voraussetzungen sind erfüllt. Die Entscheidung über die Kosten beruht auf dem Kostengesetz und der Kostensatzung.',
    REMEDY,
    'Mit freundlichen Grüßen\n{{behoerde}}',
  ].join('\n\n'),
  partially_granted: [
    'Sehr geehrte Damen und Herren,',
    'auf Ihren Antrag vom {{eingangsdatum}} (Antragsnummer {{antragsnummer}}) ergeht folgender Bescheid:',
    '1. Ihrem Antrag „{{verfahren}}“ wird teilweise stattgegeben. Im Übrigen wird er abgelehnt.',
    COSTS.partially_granted[costs],
    'Gründe:',
    '[Bitte begründen Sie, in welchem Umfang dem Antrag entsprochen wird und warum er im Übrigen abgelehnt wird.]',
    REMEDY,
    'Mit freundlichen Grüßen\n{{behoerde}}',
  ].join('\n\n'),
  refused: [
    'Sehr geehrte Damen und Herren,',
    'auf Ihren Antrag vom {{eingangsdatum}} (Antragsnummer {{antragsnummer}}) ergeht folgender Bescheid:',
    'Ihr Antrag „{{verfahren}}“ wird abgelehnt.',
    'Gründe:',
    '[Bitte begründen Sie die Ablehnung.]',
    REMEDY,
    'Mit freundlichen Grüßen\n{{behoerde}}',
  ].join('\n\n'),
});

/** The platform's default template for an outcome; `charged`: whether a fee is set with the decision. */
export function defaultTemplate(outcome: DecisionOutcome, charged = true): { title: string; body: string } {
  return { title: 'Bescheid', body: defaultBodies(charged ? 'fee' : 'free')[outcome] };
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
