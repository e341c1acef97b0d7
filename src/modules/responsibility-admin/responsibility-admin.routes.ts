/**
 * The responsibility pages under /verwaltung/zustaendigkeiten: the overrides of the authority finder
 * a staff member may manage, a form to add one (to an existing authority or a new state authority),
 * removal after confirmation, and a check of what the finder answers for a service in a municipality.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../../app-deps.ts';
import type { AreaKind } from '../../platform/db/schema.ts';
import { DomainError } from '../../platform/http/errors.ts';
import { emptyForm, validateForm, type FormErrors } from '../../platform/http/forms.ts';
import type { MessageKey, Translate } from '../../platform/i18n/i18n.ts';
import { findResponsibleAuthority } from '../catalog/index.ts';
import { addOverride, type AddOverrideProblemCode } from './add-override.ts';
import { removeOverride } from './remove-override.ts';
import { requireResponsibilityAdmin, scopeOf, type ResponsibilityAdmin } from './responsibility-admin.policy.ts';
import {
  findArea, findOverride, findServiceName, listAreasInScope, listAuthorities, listOverrides, listRegions, type OverrideRow,
} from './responsibility-admin.repository.ts';
import { AREA_KINDS, checkForm, OVERRIDE_FIELDS, overrideForm, overrideRef } from './responsibility-admin.schemas.ts';

const VIEWS = 'modules/responsibility-admin/views';
const BASE = '/verwaltung/zustaendigkeiten';
const LIST_LIMIT = 500;

/** Confirmations after a redirect (`?hinweis=`), by their value in the URL. */
const NOTICES = {
  hinzugefuegt: 'responsibilityAdmin.notice.added',
  entfernt: 'responsibilityAdmin.notice.removed',
} as const satisfies Record<string, MessageKey>;
type Notice = keyof typeof NOTICES;

/** The message at the field for each reason the use case refuses a value. */
const PROBLEM_MESSAGES = {
  UNKNOWN_SERVICE: 'responsibilityAdmin.leikaKey.unknown',
  UNKNOWN_AREA: 'responsibilityAdmin.areaCode.unknown',
  AREA_OUT_OF_REACH: 'responsibilityAdmin.areaCode.outOfReach',
  UNKNOWN_AUTHORITY: 'responsibilityAdmin.authorityKey.unknown',
  AUTHORITY_EXISTS: 'responsibilityAdmin.authorityName.exists',
  OVERRIDE_EXISTS: 'responsibilityAdmin.areaCode.overrideExists',
} as const satisfies Record<AddOverrideProblemCode, MessageKey>;

const AREA_KIND_LABELS = {
  municipality: 'responsibilityAdmin.areaKind.municipality',
  association: 'responsibilityAdmin.areaKind.association',
  district: 'responsibilityAdmin.areaKind.district',
  region: 'responsibilityAdmin.areaKind.region',
} as const satisfies Record<AreaKind, MessageKey>;

const BASIS_LABELS = {
  override: 'responsibilityAdmin.check.basis.override',
  rule: 'responsibilityAdmin.check.basis.rule',
  leika_type: 'responsibilityAdmin.check.basis.leika_type',
} as const satisfies Record<string, MessageKey>;

function noticeOf(req: FastifyRequest): string | null {
  const value = (req.query as Record<string, unknown>).hinweis;
  return typeof value === 'string' && Object.hasOwn(NOTICES, value) ? req.t(NOTICES[value as Notice]) : null;
}

/** An area for people: "Gemeinde Rödental (09473159)", "Landkreis Coburg (09473)", "Regierungsbezirk Oberfranken". */
function describeArea(t: Translate, a: { areaKind: AreaKind; areaCode: string; areaName: string | null; districtKind: string | null }): string {
  const name = a.areaName ?? a.areaCode;
  switch (a.areaKind) {
    case 'municipality': return t('responsibilityAdmin.area.municipality', { name, code: a.areaCode });
    case 'association': return t('responsibilityAdmin.area.association', { name, code: a.areaCode });
    case 'district': return t(a.districtKind === 'kreisfreie_stadt' ? 'responsibilityAdmin.area.independentTown' : 'responsibilityAdmin.area.district', { name, code: a.areaCode });
    case 'region': return t('responsibilityAdmin.area.region', { name });
  }
}

/** The query string naming one override (for its confirmation page). */
function refQuery(row: Pick<OverrideRow, 'leikaKey' | 'areaKind' | 'areaCode'>): string {
  return new URLSearchParams({ leistung: row.leikaKey, art: row.areaKind, gebiet: row.areaCode }).toString();
}

/** What the user sent, as strings, to put back into the fields (never the CSRF token). */
function sentValues(body: unknown): Record<string, string> {
  const entries = body && typeof body === 'object' ? Object.entries(body) : [];
  return Object.fromEntries(entries.filter(([k]) => k !== '_csrf').map(([k, v]) => [k, String((Array.isArray(v) ? v[0] : v) ?? '')]));
}

/** Orders a form's errors like its fields, so that the summary reads top to bottom. */
function inFieldOrder(form: FormErrors): FormErrors {
  const fields: readonly string[] = OVERRIDE_FIELDS;
  const rank = (field: string) => (fields.indexOf(field) + fields.length + 1) % (fields.length + 1);
  return { ...form, errors: [...form.errors].sort((a, b) => rank(a.field) - rank(b.field)) };
}

/** Registers the responsibility pages (ministry staff and tenant administrators of district offices and municipalities). */
export async function responsibilityAdminRoutes(app: FastifyInstance, { db }: AppDeps): Promise<void> {
  /** What the admin may manage, for the pages' introductions. */
  function reachOf(admin: ResponsibilityAdmin) {
    return {
      stateWide: admin.stateWideTenantId !== null,
      tenantNames: [...admin.districts, ...admin.municipalities].map((g) => g.tenantName),
    };
  }

  async function formPage(req: FastifyRequest, reply: FastifyReply, admin: ResponsibilityAdmin, form: FormErrors, status = 200) {
    const scope = scopeOf(admin);
    const [authorities, areas, regions] = await Promise.all([
      listAuthorities(db, scope), listAreasInScope(db, scope), scope.stateWide ? listRegions(db) : [],
    ]);
    const kinds = scope.stateWide ? AREA_KINDS : AREA_KINDS.filter((k) => k !== 'region' && (k === 'municipality' || scope.districtKeys.length > 0));
    return reply.page(`${VIEWS}/new.njk`, {
      pageTitle: req.t('responsibilityAdmin.new.title'),
      reach: reachOf(admin), form, errors: form.errors, errorCount: form.errors.length,
      areaKindOptions: kinds.map((k) => ({ value: k, label: req.t(AREA_KIND_LABELS[k]) })),
      authorityOptions: authorities,
      areas: areas.map((a) => ({ kind: req.t(AREA_KIND_LABELS[a.kind]), code: a.code, name: describeArea(req.t, { areaKind: a.kind, areaCode: a.code, areaName: a.name, districtKind: a.districtKind }) })),
      regions,
    }, status);
  }

  app.get(BASE, async (req, reply) => {
    const admin = await requireResponsibilityAdmin(db, req, reply);
    if (!admin) return reply;
    const overrides = await listOverrides(db, scopeOf(admin), LIST_LIMIT);
    return reply.page(`${VIEWS}/index.njk`, {
      pageTitle: req.t('responsibilityAdmin.title'),
      reach: reachOf(admin), notice: noticeOf(req), total: overrides.total, shown: LIST_LIMIT,
      overrides: overrides.items.map((o) => ({
        ...o, area: describeArea(req.t, o), removeUrl: `${BASE}/entfernen?${refQuery(o)}`,
        checkUrl: `${BASE}/pruefen?${new URLSearchParams({ leistung: o.leikaKey, ...(o.areaKind === 'municipality' ? { gemeinde: o.areaCode } : {}) })}`,
      })),
    });
  });

  app.get(`${BASE}/neu`, async (req, reply) => {
    const admin = await requireResponsibilityAdmin(db, req, reply);
    if (!admin) return reply;
    return formPage(req, reply, admin, emptyForm({ areaKind: 'municipality', authorityChoice: 'existing' }));
  });

  app.post(BASE, async (req, reply) => {
    const admin = await requireResponsibilityAdmin(db, req, reply);
    if (!admin) return reply;
    const result = validateForm(overrideForm, req.body, req.t);
    if (!result.ok) return formPage(req, reply, admin, inFieldOrder(result), 400);
    const added = await addOverride(db, admin, { staffId: admin.account.id, requestId: req.id }, result.value);
    if (!added.ok) {
      const form = emptyForm(sentValues(req.body));
      form.fieldErrors.__prefix = `${req.t('form.errorPrefix')} `;
      for (const p of added.problems) {
        const message = req.t(PROBLEM_MESSAGES[p.code]);
        form.fieldErrors[p.field] = message;
        form.errors.push({ field: p.field, message });
      }
      return formPage(req, reply, admin, inFieldOrder(form), 400);
    }
    return reply.redirect(`${BASE}?hinweis=hinzugefuegt`, 303);
  });

  app.get(`${BASE}/entfernen`, async (req, reply) => {
    const admin = await requireResponsibilityAdmin(db, req, reply);
    if (!admin) return reply;
    const ref = overrideRef.safeParse(req.query);
    const override = ref.success ? await findOverride(db, scopeOf(admin), ref.data) : undefined;
    if (!override) throw new DomainError('NOT_FOUND');
    return reply.page(`${VIEWS}/remove.njk`, {
      pageTitle: req.t('responsibilityAdmin.remove.title'), override: { ...override, area: describeArea(req.t, override) },
    });
  });

  app.post(`${BASE}/entfernen`, async (req, reply) => {
    const admin = await requireResponsibilityAdmin(db, req, reply);
    if (!admin) return reply;
    const ref = overrideRef.safeParse(req.body);
    if (!ref.success) throw new DomainError('NOT_FOUND');
    await removeOverride(db, admin, { staffId: admin.account.id, requestId: req.id }, ref.data);
    return reply.redirect(`${BASE}?hinweis=entfernt`, 303);
  });

  app.get(`${BASE}/pruefen`, async (req, reply) => {
    const admin = await requireResponsibilityAdmin(db, req, reply);
    if (!admin) return reply;
    const query = req.query as Record<string, unknown>;
    const page = (form: FormErrors, extra: Record<string, unknown> = {}, status = 200) => reply.page(`${VIEWS}/check.njk`, {
      pageTitle: req.t('responsibilityAdmin.check.title'), form, errors: form.errors, errorCount: form.errors.length, answer: null, ...extra,
    }, status);
    // The form as first shown (a service may be given, from the list).
    if (query.gemeinde === undefined) return page(emptyForm({ leistung: typeof query.leistung === 'string' ? query.leistung : '', gemeinde: '' }));
    const result = validateForm(checkForm, query, req.t);
    if (!result.ok) return page(result, {}, 400);
    const { leistung, gemeinde } = result.value;
    const [serviceName, municipality] = await Promise.all([findServiceName(db, leistung), findArea(db, 'municipality', gemeinde)]);
    if (!serviceName || !municipality) {
      const form = emptyForm(sentValues(query));
      form.fieldErrors.__prefix = `${req.t('form.errorPrefix')} `;
      const unknown: [string, MessageKey][] = [];
      if (!serviceName) unknown.push(['leistung', 'responsibilityAdmin.leikaKey.unknown']);
      if (!municipality) unknown.push(['gemeinde', 'responsibilityAdmin.areaCode.unknown']);
      for (const [field, key] of unknown) {
        form.fieldErrors[field] = req.t(key);
        form.errors.push({ field, message: req.t(key) });
      }
      return page(form, {}, 400);
    }
    const authority = await findResponsibleAuthority(db, leistung, gemeinde);
    if (!authority) throw new DomainError('NOT_FOUND');
    return page(emptyForm({ leistung, gemeinde }), {
      answer: {
        ...authority, serviceName, municipalityName: municipality.name, basisLabel: req.t(BASIS_LABELS[authority.basis]),
        publicUrl: `/leistungen/${leistung}?ags=${gemeinde}`,
      },
    });
  });
}
