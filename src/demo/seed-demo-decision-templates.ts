/**
 * Demo decision templates (modules/cases): an approval and a rejection template for the demo
 * procedures that end with a decision (Hundesteuer, Bauantrag), with the Bavarian legal remedy of
 * the authority (an objection or an action for municipal taxes, only an action in building law
 * since the objection procedure was abolished there). The other demo procedures start from the
 * platform's default texts. Idempotent: a template an administrator changed is kept.
 */
import type { Db } from '../platform/db/database.ts';
import type { DecisionTemplateOutcome } from '../platform/db/schema.ts';

interface Court { name: string; address: string }

const VG_BAYREUTH: Court = { name: 'Bayerischen Verwaltungsgericht Bayreuth', address: 'Friedrichstraße 16, 95444 Bayreuth' };
const VG_MUENCHEN: Court = { name: 'Bayerischen Verwaltungsgericht München', address: 'Bayerstraße 30, 80335 München' };

const ACTION_FORM = 'Die Klage kann schriftlich, zur Niederschrift des Urkundsbeamten der Geschäftsstelle dieses Gerichts oder elektronisch '
  + 'nach Maßgabe der für den Rechtsverkehr mit den Gerichten geltenden Vorschriften erhoben werden. Eine Klageerhebung per einfacher E-Mail ist nicht zugelassen.';

/** Only an action (building law: no objection procedure in Bavaria, Art. 12 AGVwGO). */
const actionOnly = (court: Court) => [
  'Rechtsbehelfsbelehrung:',
  `Gegen diesen Bescheid kann innerhalb eines Monats nach seiner Bekanntgabe Klage bei dem ${court.name}, ${court.address}, erhoben werden. ${ACTION_FORM}`,
].join('\n');

/** An objection to the authority or directly an action (municipal taxes, Art. 12 (1) AGVwGO). */
const objectionOrAction = (court: Court) => [
  'Rechtsbehelfsbelehrung:',
  'Gegen diesen Bescheid kann innerhalb eines Monats nach seiner Bekanntgabe entweder Widerspruch eingelegt oder unmittelbar Klage erhoben werden.',
  'Der Widerspruch ist schriftlich oder zur Niederschrift bei {{behoerde}} einzulegen.',
  `Die Klage ist bei dem ${court.name}, ${court.address}, zu erheben. ${ACTION_FORM}`,
].join('\n');

const OPENING = ['Sehr geehrte Damen und Herren,', 'auf Ihren Antrag vom {{eingangsdatum}} (Antragsnummer {{antragsnummer}}) ergeht folgender Bescheid:'];
const CLOSING = 'Mit freundlichen Grüßen\n{{behoerde}}';

type Templates = Partial<Record<DecisionTemplateOutcome, { title: string; body: string }>>;

const dogTax = (court: Court): Templates => ({
  granted: {
    title: 'Bescheid über die Anmeldung zur Hundesteuer',
    body: [
      ...OPENING,
      '1. Ihr Hund ist ab dem angegebenen Beginn der Haltung zur Hundesteuer angemeldet. Die Steuer wird nach der Hundesteuersatzung mit dem jährlichen Steuerbescheid festgesetzt; die Steuermarke erhalten Sie mit der Post.',
      '2. Für diesen Bescheid werden keine Kosten erhoben.',
      'Gründe:',
      'Wer im Gemeindegebiet einen Hund hält, hat ihn nach der Hundesteuersatzung anzumelden. Ihre Anmeldung ist vollständig. Die Kostenfreiheit ergibt sich aus der Hundesteuersatzung.',
      objectionOrAction(court),
      CLOSING,
    ].join('\n\n'),
  },
  refused: {
    title: 'Bescheid über Ihren Antrag zur Hundesteuer',
    body: [
      ...OPENING,
      '1. Ihr Antrag „{{verfahren}}“ wird abgelehnt.',
      '2. Für diesen Bescheid werden keine Kosten erhoben.',
      'Gründe:',
      '[[Bitte begründen Sie die Ablehnung, zum Beispiel: Der Hund wird nicht im Gemeindegebiet gehalten, oder die Voraussetzungen der beantragten Steuerermäßigung nach der Hundesteuersatzung liegen nicht vor, weil …]]',
      objectionOrAction(court),
      CLOSING,
    ].join('\n\n'),
  },
});

const buildingPermit = (court: Court): Templates => ({
  granted: {
    title: 'Baugenehmigung',
    body: [
      ...OPENING,
      '1. Für das beantragte Vorhaben wird die Baugenehmigung nach Art. 68 Abs. 1 der Bayerischen Bauordnung (BayBO) erteilt. Die mit dem Antrag eingereichten Bauvorlagen sind Bestandteil dieser Genehmigung.',
      '2. Die Kosten des Verfahrens tragen Sie. Es wird eine Gebühr von {{gebuehr}} festgesetzt.',
      'Gründe:',
      'Dem Vorhaben stehen keine öffentlich-rechtlichen Vorschriften entgegen, die im bauaufsichtlichen Genehmigungsverfahren zu prüfen sind. Die Kostenentscheidung beruht auf dem Kostengesetz (KG) in Verbindung mit dem Kostenverzeichnis.',
      'Hinweise:',
      'Die Baugenehmigung erlischt, wenn innerhalb von vier Jahren nach ihrer Erteilung mit der Ausführung des Vorhabens nicht begonnen oder die Ausführung vier Jahre unterbrochen worden ist (Art. 69 Abs. 1 BayBO).',
      actionOnly(court),
      CLOSING,
    ].join('\n\n'),
  },
  refused: {
    title: 'Ablehnung des Bauantrags',
    body: [
      ...OPENING,
      '1. Der Bauantrag wird abgelehnt.',
      '2. [[Bitte entscheiden Sie über die Kosten: die Gebühr für die Ablehnung (im Feld „Gebühr in Euro“ festsetzen) oder „Für diesen Bescheid werden keine Kosten erhoben.“]]',
      'Gründe:',
      '[[Bitte begründen Sie die Ablehnung: welche öffentlich-rechtlichen Vorschriften dem Vorhaben entgegenstehen (zum Beispiel Festsetzungen des Bebauungsplans, § 34 oder § 35 BauGB, Abstandsflächen nach Art. 6 BayBO) und warum eine Abweichung, Ausnahme oder Befreiung nicht in Betracht kommt.]]',
      actionOnly(court),
      CLOSING,
    ].join('\n\n'),
  },
});

/** Per demo tenant (slug) and procedure name: the templates. */
const DEMO_TEMPLATES: readonly { tenant: string; procedure: string; templates: Templates }[] = [
  { tenant: 'coburg', procedure: 'Hund zur Hundesteuer anmelden', templates: dogTax(VG_BAYREUTH) },
  { tenant: 'muenchen', procedure: 'Hund zur Hundesteuer anmelden', templates: dogTax(VG_MUENCHEN) },
  { tenant: 'coburg', procedure: 'Bauantrag online', templates: buildingPermit(VG_BAYREUTH) },
  { tenant: 'landkreis-coburg', procedure: 'Bauantrag online', templates: buildingPermit(VG_BAYREUTH) },
];

/** Stores the demo templates of the tenants given by slug (after their procedures exist). */
export async function seedDemoDecisionTemplates(db: Db, tenantIdsBySlug: Map<string, { id: string }>): Promise<void> {
  await db.transaction().execute(async (tx) => {
    for (const entry of DEMO_TEMPLATES) {
      const tenant = tenantIdsBySlug.get(entry.tenant);
      if (!tenant) continue;
      const procedure = await tx.selectFrom('online_procedures').select('id').where('tenant_id', '=', tenant.id).where('name', '=', entry.procedure).executeTakeFirst();
      if (!procedure) continue;
      for (const [outcome, template] of Object.entries(entry.templates) as [DecisionTemplateOutcome, { title: string; body: string }][]) {
        await tx.insertInto('decision_templates').values({ tenant_id: tenant.id, procedure_id: procedure.id, outcome, title: template.title, body: template.body })
          .onConflict((oc) => oc.columns(['tenant_id', 'procedure_id', 'outcome']).doNothing()).execute();
      }
    }
  });
}
