/**
 * The public API's zod schemas: the parameters it validates and the bodies it answers with. The
 * OpenAPI document is derived from these (z.toJSONSchema), so what is documented is what is checked.
 * Messages and descriptions are catalog keys (translated when the error is sent or the document built).
 */
import { z } from 'zod';

/** Schemas that appear as named components in the OpenAPI document. */
export const apiComponents = z.registry<{ id: string }>();

/** A parameter schema whose every issue is reported with `reason` (or "missing" when it was not sent). */
function param(reason: string) {
  return { error: (issue: { input?: unknown }) => (issue.input === undefined ? 'api.param.required' : reason) };
}

/** An AGS: 8 digits starting with 09 (Bavaria). */
export const agsParam = z.string(param('api.param.ags.invalid')).regex(/^09\d{6}$/)
  .meta({ description: 'api.doc.param.ags', examples: ['09463000'] });
/** A LeiKa key: 14 digits. */
export const leikaKeyParam = z.string(param('api.param.leikaKey.invalid')).regex(/^\d{14}$/)
  .meta({ description: 'api.doc.param.leikaKey', examples: ['99115005104000'] });
const slugParam = (reason: string) => z.string(param(reason)).max(80).regex(/^[a-z0-9-]+$/);

/** Most entries on one page of GET /api/v1/services. */
export const MAX_LIMIT = 100;
/** Furthest offset: paging deeper than this is a crawl, not a search. */
export const MAX_OFFSET = 10_000;

/** GET /api/v1/services */
export const serviceListQuery = z.object({
  q: z.string(param('api.param.q.invalid')).trim().max(200).optional()
    .meta({ description: 'api.doc.param.q', examples: ['Hund anmelden'] }),
  ags: agsParam.optional().meta({ description: 'api.doc.param.agsContext', examples: ['09463000'] }),
  themenfeld: slugParam('api.param.themenfeld.invalid').optional().meta({ description: 'api.doc.param.themenfeld', examples: ['familie-kind'] }),
  lage: slugParam('api.param.lage.invalid').optional().meta({ description: 'api.doc.param.lage' }),
  online: z.enum(['true', 'false', '1', '0'], param('api.param.online.invalid')).optional()
    .meta({ description: 'api.doc.param.online', examples: ['true'] }),
  limit: z.coerce.number(param('api.param.limit.invalid')).int().min(1).max(MAX_LIMIT).default(20)
    .meta({ description: 'api.doc.param.limit' }),
  offset: z.coerce.number(param('api.param.offset.invalid')).int().min(0).max(MAX_OFFSET).default(0)
    .meta({ description: 'api.doc.param.offset' }),
});

/** GET /api/v1/services/{leikaKey} */
export const servicePath = z.object({ leikaKey: leikaKeyParam });
export const serviceQuery = z.object({
  ags: agsParam.optional().meta({ description: 'api.doc.param.agsContext', examples: ['09463000'] }),
});

/** GET /api/v1/responsibility */
export const responsibilityQuery = z.object({ leikaKey: leikaKeyParam, ags: agsParam });

/** GET /api/v1/municipalities/{ags}/xzufi.xml */
export const municipalityPath = z.object({ ags: agsParam });

// ---- Response bodies ----

const nullableText = z.string().nullable();

/** An online procedure open to a municipality's residents. */
export const OnlineProcedure = z.object({
  name: z.string(),
  kind: z.enum(['internal', 'external']).meta({ description: 'api.doc.schema.procedureKind' }),
  url: z.string().nullable().meta({ description: 'api.doc.schema.procedureUrl' }),
  maturityModel: z.enum(['1', '2']).meta({ description: 'api.doc.schema.maturityModel' }),
  maturityLevel: z.number().int().min(0).max(7),
  authority: z.string().meta({ description: 'api.doc.schema.procedureAuthority' }),
}).meta({ description: 'api.doc.schema.onlineProcedure' });
apiComponents.add(OnlineProcedure, { id: 'OnlineProcedure' });

/** One service in a list. */
export const ServiceSummary = z.object({
  leikaKey: z.string(),
  name: z.string(),
  topic: nullableText.meta({ description: 'api.doc.schema.topic' }),
  ozgService: nullableText.meta({ description: 'api.doc.schema.ozgService' }),
  online: z.boolean().nullable().meta({ description: 'api.doc.schema.online' }),
  onlineProcedures: z.array(OnlineProcedure).meta({ description: 'api.doc.schema.onlineProcedures' }),
  url: z.string().meta({ description: 'api.doc.schema.pageUrl' }),
});
apiComponents.add(ServiceSummary, { id: 'ServiceSummary' });

/** Body of GET /api/v1/services. */
export const ServiceList = z.object({
  total: z.number().int().min(0),
  limit: z.number().int(),
  offset: z.number().int(),
  items: z.array(ServiceSummary),
});
apiComponents.add(ServiceList, { id: 'ServiceList' });

/** An authority's contact (every part may be unknown). */
export const Contact = z.object({
  street: nullableText, postcode: nullableText, city: nullableText, phone: nullableText,
  email: nullableText, website: nullableText, openingHours: nullableText,
});
apiComponents.add(Contact, { id: 'Contact' });

/** The responsible authority as the API shows it (its tenant id stays internal). */
export const Authority = z.object({
  key: z.string().meta({ description: 'api.doc.schema.authorityKey' }),
  name: z.string(),
  level: z.enum(['municipality', 'district', 'district_or_major_town', 'state']).meta({ description: 'api.doc.schema.authorityLevel' }),
  basis: z.enum(['override', 'rule', 'leika_type']).meta({ description: 'api.doc.schema.authorityBasis' }),
  note: nullableText,
  contact: Contact.nullable(),
  connected: z.boolean().meta({ description: 'api.doc.schema.authorityConnected' }),
}).meta({ description: 'api.doc.schema.authority' });
apiComponents.add(Authority, { id: 'Authority' });

/** The municipality an answer is for. */
export const MunicipalityRef = z.object({ ags: z.string(), ars: z.string(), name: z.string() });
apiComponents.add(MunicipalityRef, { id: 'MunicipalityRef' });

const NamedLink = z.object({ name: z.string(), slug: z.string() });

/** Body of GET /api/v1/services/{leikaKey}. */
export const ServiceDetail = z.object({
  leikaKey: z.string(),
  name: z.string(),
  leikaType: nullableText.meta({ description: 'api.doc.schema.leikaType' }),
  ozgService: nullableText.meta({ description: 'api.doc.schema.ozgService' }),
  topic: NamedLink.nullable(),
  lifeEvent: NamedLink.nullable(),
  texts: z.object({
    description: nullableText, requirements: nullableText, documents: nullableText, fees: nullableText,
    deadlines: nullableText, processingTime: nullableText, forms: nullableText,
  }),
  legalBasis: z.array(z.object({ text: z.string(), url: z.string().nullable() })),
  municipality: MunicipalityRef.nullable().meta({ description: 'api.doc.schema.municipalityContext' }),
  responsibleAuthority: Authority.nullable(),
  onlineProcedures: z.array(OnlineProcedure).meta({ description: 'api.doc.schema.onlineProcedures' }),
  localText: z.object({
    fees: nullableText, contact: nullableText, localRequirements: nullableText,
    updatedAt: z.string().meta({ format: 'date-time' }),
  }).nullable().meta({ description: 'api.doc.schema.localText' }),
  url: z.string().meta({ description: 'api.doc.schema.pageUrl' }),
});
apiComponents.add(ServiceDetail, { id: 'ServiceDetail' });

/** Body of GET /api/v1/responsibility. */
export const Responsibility = z.object({
  service: z.object({ leikaKey: z.string(), name: z.string() }),
  municipality: MunicipalityRef,
  authority: Authority,
});
apiComponents.add(Responsibility, { id: 'Responsibility' });

/** GET /api/v1/municipalities (served by the municipalities module; documented here). */
export const MunicipalityList = z.object({
  items: z.array(z.object({
    ags: z.string(), ars: z.string(), name: z.string(), officialName: z.string(),
    type: z.enum(['gemeinde', 'markt', 'stadt', 'grosse_kreisstadt', 'kreisfreie_stadt']),
    district: z.object({ key: z.string(), name: z.string() }),
    regierungsbezirk: z.string(), postcode: z.string(), population: z.number().int(),
    connected: z.boolean().meta({ description: 'api.doc.schema.municipalityConnected' }),
    url: z.string().meta({ description: 'api.doc.schema.pageUrl' }),
  })),
});
apiComponents.add(MunicipalityList, { id: 'MunicipalityList' });

/** GET /api/v1/digitales-amt (served by the digitales-amt module; documented here). */
export const DigitalesAmtList = z.object({
  threshold: z.number().int().meta({ description: 'api.doc.schema.awardThreshold' }),
  items: z.array(z.object({
    ags: z.string(),
    name: z.string(),
    procedureCount: z.number().int().meta({ description: 'api.doc.schema.awardCount' }),
    qualifiedAt: z.string().nullable().meta({ format: 'date-time', description: 'api.doc.schema.awardQualifiedAt' }),
    confirmed: z.boolean().meta({ description: 'api.doc.schema.awardConfirmed' }),
    confirmedAt: z.string().nullable().meta({ format: 'date-time', description: 'api.doc.schema.awardConfirmedAt' }),
    url: z.string().meta({ description: 'api.doc.schema.pageUrl' }),
  })),
});
apiComponents.add(DigitalesAmtList, { id: 'DigitalesAmtList' });

/** GET /api/v1/services/{leikaKey}/form: the municipality is required (the form is the responsible authority's). */
export const serviceFormQuery = z.object({ ags: agsParam.meta({ description: 'api.doc.param.agsForm', examples: ['09463000'] }) });

/** The form of the online procedure on this portal for a service in a municipality. */
export const ServiceForm = z.object({
  leikaKey: z.string(),
  ags: z.string(),
  procedure: z.object({
    name: z.string(),
    authority: z.string().meta({ description: 'api.doc.schema.procedureAuthority' }),
    minTrustLevel: z.enum(['niedrig', 'substantiell', 'hoch']).meta({ description: 'api.doc.schema.minTrustLevel' }),
    paymentTiming: z.enum(['none', 'before_submission', 'with_decision']).meta({ description: 'api.doc.schema.paymentTiming' }),
    processingDays: z.number().int().nullable().meta({ description: 'api.doc.schema.processingDays' }),
    formVersion: z.number().int(),
    startUrl: z.string().meta({ description: 'api.doc.schema.startUrl' }),
  }),
  fee: z.record(z.string(), z.unknown()).nullable().meta({ description: 'api.doc.schema.feeSchedule' }),
  definition: z.record(z.string(), z.unknown()).meta({ description: 'api.doc.schema.formDefinition' }),
}).meta({ description: 'api.doc.schema.serviceForm' });
apiComponents.add(ServiceForm, { id: 'ServiceForm' });

/** The error body of every /api/ path (RFC 9457 problem details). */
export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string().meta({ description: 'api.doc.schema.problemCode' }),
  instance: z.string(),
  invalidParams: z.array(z.object({ name: z.string(), reason: z.string() })).optional()
    .meta({ description: 'api.doc.schema.invalidParams' }),
  requestId: z.string().meta({ description: 'api.doc.schema.requestId' }),
}).meta({ description: 'api.doc.schema.problem' });
apiComponents.add(Problem, { id: 'Problem' });

// The bodies' TypeScript types: the use cases return these, so the compiler keeps them to the schemas.
export type OnlineProcedureBody = z.output<typeof OnlineProcedure>;
export type ServiceListBody = z.output<typeof ServiceList>;
export type ServiceDetailBody = z.output<typeof ServiceDetail>;
export type ServiceFormBody = z.output<typeof ServiceForm>;
export type AuthorityBody = z.output<typeof Authority>;
export type ResponsibilityBody = z.output<typeof Responsibility>;
