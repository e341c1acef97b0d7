/**
 * Example answers for the OpenAPI document and /api/docs, shortened from the demo data (Coburg).
 * Typed with the response schemas' types; the tests also parse them with the zod schemas and
 * validate the XML example against the export's schema, so they cannot drift from the API.
 */
import type { z } from 'zod';
import { errorCatalog } from '../../platform/http/errors.ts';
import type { Translate } from '../../platform/i18n/i18n.ts';
import type {
  DigitalesAmtList, MunicipalityList, Problem, ResponsibilityBody, ServiceDetailBody, ServiceFormBody, ServiceListBody,
} from './api.schemas.ts';

const coburgProcedure = {
  name: 'Wohnsitz Anmeldung online', kind: 'external', url: 'https://service.coburg.demo.digitales-amt.de/99115005104000',
  maturityModel: '2', maturityLevel: 5, authority: 'Stadt Coburg',
} as const;

export const exampleServiceList: ServiceListBody = {
  total: 4,
  limit: 1,
  offset: 0,
  items: [{
    leikaKey: '99115005104000', name: 'Wohnsitz Anmeldung', topic: 'Bauen & Wohnen', ozgService: 'Wohnsitzmeldungen',
    online: true, onlineProcedures: [coburgProcedure], url: '/leistungen/99115005104000?ags=09463000',
  }],
};

/** A trimmed example: the real answer carries the whole definition (every step, field and code list). */
export const exampleServiceForm: ServiceFormBody = {
  leikaKey: '99102013000000',
  ags: '09463000',
  procedure: {
    name: 'Hund zur Hundesteuer anmelden', authority: 'Stadt Coburg', minTrustLevel: 'substantiell', paymentTiming: 'none',
    processingDays: null, formVersion: 1, startUrl: '/antraege/neu/3f0c6f1e-0d7a-4d0c-9a57-1d1f0a7c2b11?ags=09463000',
  },
  fee: null,
  definition: {
    format: 1,
    title: { de: 'Anmeldung eines Hundes zur Hundesteuer', en: 'Registering a dog for dog tax' },
    steps: [{ id: 'halter', title: { de: 'Halterin oder Halter', en: 'Keeper' }, items: [{ kind: 'field', id: 'familienname', type: 'text', label: { de: 'Familienname', en: 'Surname' }, required: true, constraints: { maxLength: 120 }, prefill: 'familyName' }] }],
    codeLists: {},
    rules: [],
  },
};

export const exampleServiceDetail: ServiceDetailBody = {
  leikaKey: '99115005104000',
  name: 'Wohnsitz Anmeldung',
  leikaType: '2/3',
  ozgService: 'Wohnsitzmeldungen',
  topic: { name: 'Bauen & Wohnen', slug: 'bauen-wohnen' },
  lifeEvent: { name: 'Wohnen & Umzug', slug: 'wohnen-umzug' },
  texts: {
    description: 'Wenn Sie in eine Wohnung einziehen, müssen Sie sich innerhalb von zwei Wochen bei der Meldebehörde Ihrer neuen Gemeinde anmelden.',
    requirements: 'Sie sind in eine Wohnung in Bayern eingezogen.',
    documents: 'Personalausweis oder Reisepass; Wohnungsgeberbestätigung des Vermieters (§ 19 BMG).',
    fees: 'Die Anmeldung ist gebührenfrei.',
    deadlines: 'Innerhalb von zwei Wochen nach dem Einzug.',
    processingTime: 'Sofort bei persönlicher Vorsprache; online in der Regel innerhalb von drei Arbeitstagen.',
    forms: 'Meldeschein für die Anmeldung; Wohnungsgeberbestätigung.',
  },
  legalBasis: [{ text: '§ 17 Absatz 1 Bundesmeldegesetz (BMG)', url: 'http://www.gesetze-im-internet.de/bmg/__17.html' }],
  municipality: { ags: '09463000', ars: '094630000000', name: 'Coburg' },
  responsibleAuthority: {
    key: 'municipality:09463000', name: 'Stadt Coburg', level: 'municipality', basis: 'rule',
    note: 'Meldewesen: Meldebehörde der Gemeinde (Art. 1 BayAGBMG)',
    contact: {
      street: 'Markt 1', postcode: '96450', city: 'Coburg', phone: '09561 89-0', email: 'buergerservice@coburg.demo.digitales-amt.de',
      website: 'https://www.coburg.de', openingHours: 'Mo–Fr 8–12 Uhr, Do 14–17 Uhr',
    },
    connected: true,
  },
  onlineProcedures: [coburgProcedure],
  localText: null,
  url: '/leistungen/99115005104000?ags=09463000',
};

export const exampleResponsibility: ResponsibilityBody = {
  service: { leikaKey: '99115005104000', name: 'Wohnsitz Anmeldung' },
  municipality: { ags: '09473159', ars: '094730159159', name: 'Rödental' },
  authority: {
    key: 'municipality:09473159', name: 'Stadt Rödental', level: 'municipality', basis: 'rule',
    note: 'Meldewesen: Meldebehörde der Gemeinde (Art. 1 BayAGBMG)', contact: null, connected: false,
  },
};

export const exampleMunicipalities: z.output<typeof MunicipalityList> = {
  items: [{
    ags: '09463000', ars: '094630000000', name: 'Coburg', officialName: 'Coburg', type: 'kreisfreie_stadt',
    district: { key: '09463', name: 'Coburg' }, regierungsbezirk: 'Oberfranken', postcode: '96450', population: 41072,
    connected: true, url: '/gemeinden/09463000',
  }],
};

export const exampleDigitalesAmt: z.output<typeof DigitalesAmtList> = {
  threshold: 50,
  items: [{
    ags: '09463000', name: 'Coburg', procedureCount: 50, qualifiedAt: '2026-02-01T08:00:00.000Z', confirmed: true,
    confirmedAt: '2026-02-03T10:30:00.000Z', url: '/gemeinden/09463000',
  }],
};

export const exampleXzufi = `<?xml version="1.0" encoding="UTF-8"?>
<transfer xmlns="urn:digitales-amt:xzufi-teilmenge:2.2" version="2.2" erstellt="2026-02-01T08:00:00.000Z">
  <gebiet>
    <gebietID listURI="urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:rs">094630000000</gebietID>
    <ags>09463000</ags>
    <name>Coburg</name>
  </gebiet>
  <leistung>
    <id schemeID="urn:de:fim:leika:leistung">99115005104000</id>
    <referenzLeiKa listURI="urn:de:fim:leika:leistung">99115005104000</referenzLeiKa>
    <bezeichnung>Wohnsitz Anmeldung</bezeichnung>
    <leistungstyp>2/3</leistungstyp>
    <modulText art="kosten" herkunft="katalog">
      <inhalt>Die Anmeldung ist gebührenfrei.</inhalt>
    </modulText>
    <rechtsgrundlage>
      <text>§ 17 Absatz 1 Bundesmeldegesetz (BMG)</text>
      <uri>http://www.gesetze-im-internet.de/bmg/__17.html</uri>
    </rechtsgrundlage>
  </leistung>
  <organisationseinheit>
    <id schemeID="urn:digitales-amt:behoerde">municipality:09463000</id>
    <name>Stadt Coburg</name>
    <anschrift>
      <strasse>Markt 1</strasse>
      <postleitzahl>96450</postleitzahl>
      <ort>Coburg</ort>
    </anschrift>
    <kommunikation kanal="telefon">09561 89-0</kommunikation>
    <internetadresse>https://www.coburg.de</internetadresse>
    <angeschlossen>true</angeschlossen>
    <zustaendigkeit>
      <leistungID>99115005104000</leistungID>
      <gebietID listURI="urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:rs">094630000000</gebietID>
    </zustaendigkeit>
  </organisationseinheit>
  <onlinedienst>
    <id schemeID="urn:digitales-amt:onlinedienst">5ce2ced1-012c-40a3-9b54-d5fc76ceccd9</id>
    <bezeichnung>Wohnsitz Anmeldung online</bezeichnung>
    <anbieter>Stadt Coburg</anbieter>
    <reifegrad modell="2">5</reifegrad>
    <link>
      <uri>https://service.coburg.demo.digitales-amt.de/99115005104000</uri>
      <titel>Wohnsitz Anmeldung online</titel>
    </link>
    <zustaendigkeit>
      <leistungID>99115005104000</leistungID>
      <gebietID listURI="urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:rs">094630000000</gebietID>
    </zustaendigkeit>
  </onlinedienst>
</transfer>
`;

type ProblemBody = z.output<typeof Problem>;

/** Example error bodies in the document's language, with the titles and texts the platform sends. */
export function exampleProblems(t: Translate): Record<'badRequest' | 'notFound' | 'tooManyRequests', ProblemBody> {
  const problem = (code: 'BAD_REQUEST' | 'NOT_FOUND' | 'RATE_LIMITED', instance: string, requestId: string) => ({
    type: 'about:blank', title: t(errorCatalog[code].titleKey), status: errorCatalog[code].status, detail: t(errorCatalog[code].messageKey),
    code, instance, requestId,
  });
  return {
    badRequest: {
      ...problem('BAD_REQUEST', '/api/v1/services', '3419e10a-8ede-49c6-86eb-15d502ab7952'),
      invalidParams: [{ name: 'ags', reason: t('api.param.ags.unknown') }],
    },
    notFound: problem('NOT_FOUND', '/api/v1/services/99999999999999', '5db3eae1-094f-4b50-ad3c-008edeacf85c'),
    tooManyRequests: problem('RATE_LIMITED', '/api/v1/services', '9f855724-13c7-4e87-a10b-b35af5159c0e'),
  };
}
