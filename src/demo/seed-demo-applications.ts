/**
 * Demo online applications: the reference forms (data in src/modules/forms/reference-forms/, and
 * one imported from a FIM schema) stored as forms of Stadt Coburg and offered as its online
 * procedures; the Landratsamt Coburg and München adopt Coburg's shared forms ("Einer für Alle").
 * These procedures are part of each tenant's demo count (DEMO_PROCEDURE_COUNTS): the generic demo
 * procedures leave room for them. Idempotent.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import { importFimSchema } from '../modules/fim/index.ts';
import type { Db, Tx } from '../platform/db/database.ts';
import type { TrustLevel } from '../platform/db/schema.ts';
import { upsertOnlineProcedure } from '../modules/catalog/index.ts';
import { loadReferenceForm, type FormDefinition, type ReferenceFormName } from '../modules/forms/index.ts';
import { formSlug, insertApplicationProcedure } from '../modules/form-library/index.ts';
import { feeSchedule } from '../modules/payments/index.ts';

interface DemoProcedure {
  tenant: string;
  /** Reference form (or a FIM schema folder under reference-data/fim/xdf2-real); owned by `owner` (default: `tenant`). */
  form: ReferenceFormName | `fim:${string}`;
  owner?: string;
  leikaKey: string;
  name: string;
  minTrustLevel: TrustLevel;
  processingDays?: number;
  share?: boolean;
  /** Fee schedule (payments module format) and when it is paid. */
  fee?: unknown;
  paymentTiming?: 'before_submission' | 'with_decision';
  /** The case workflow (modules/cases): 'notification' for an Anzeige that needs no decision. */
  workflow?: 'notification';
}

/** 13 euros per certificate (§ 30 BZRG with the fee schedule of the JVKostG), paid before submission. */
const CERTIFICATE_FEE = { items: [{ kind: 'byQuantity', label: { de: 'Führungszeugnis, je Ausfertigung', en: 'Certificate of conduct, per copy' }, field: 'anzahl', unitCents: 1300, maxQuantity: 5 }] };
/** The Bavarian building fee depends on the construction costs; set with the decision. */
const BUILDING_FEE = { items: [{ kind: 'fixed', label: { de: 'Mindestgebühr Baugenehmigung (wird mit dem Bescheid festgesetzt)', en: 'Minimum building permit fee (set with the decision)' }, cents: 5000 }] };

/** The demo's online procedures on this platform. */
export const DEMO_APPLICATION_PROCEDURES: readonly DemoProcedure[] = [
  { tenant: 'coburg', form: 'wohnsitzanmeldung', leikaKey: '99115005104000', name: 'Wohnsitzanmeldung online', minTrustLevel: 'hoch' },
  { tenant: 'coburg', form: 'hundesteuer', leikaKey: '99102013000000', name: 'Hund zur Hundesteuer anmelden', minTrustLevel: 'substantiell', share: true },
  { tenant: 'coburg', form: 'fuehrungszeugnis', leikaKey: '99049001000000', name: 'Führungszeugnis beantragen', minTrustLevel: 'hoch', fee: CERTIFICATE_FEE, paymentTiming: 'before_submission' },
  { tenant: 'coburg', form: 'bauantrag', leikaKey: '99012008001000', name: 'Bauantrag online', minTrustLevel: 'substantiell', processingDays: 90, share: true, fee: BUILDING_FEE, paymentTiming: 'with_decision' },
  { tenant: 'landkreis-coburg', form: 'bauantrag', owner: 'coburg', leikaKey: '99012008001000', name: 'Bauantrag online', minTrustLevel: 'substantiell', processingDays: 90, fee: BUILDING_FEE, paymentTiming: 'with_decision' },
  { tenant: 'muenchen', form: 'hundesteuer', owner: 'coburg', leikaKey: '99102013000000', name: 'Hund zur Hundesteuer anmelden', minTrustLevel: 'substantiell' },
  // Built by the FIM importer from the real Stammdatenschema S00000094 (Mutterschutzmeldung).
  { tenant: 'coburg', form: 'fim:S00000094V1.0_xdf2', leikaKey: '99006028000000', name: 'Mutterschutzmeldung (FIM-Formular)', minTrustLevel: 'substantiell', workflow: 'notification' },
];

const FIM_DIR = path.resolve(import.meta.dirname, '../../reference-data/fim/xdf2-real');

/** The form definition of a demo procedure: a reference form, or a FIM schema imported now. */
async function demoForm(form: DemoProcedure['form']): Promise<FormDefinition> {
  if (!form.startsWith('fim:')) return loadReferenceForm(form as ReferenceFormName);
  const dir = path.join(FIM_DIR, form.slice(4));
  const files = await Promise.all((await readdir(dir)).filter((n) => n.endsWith('.xml')).sort().map(async (name) => ({ name, bytes: new Uint8Array(await readFile(path.join(dir, name))) })));
  const { definition, report } = importFimSchema(files);
  if (!definition) throw new Error(`FIM schema ${form} could not be imported: ${report.errors.map((e) => e.message).join('; ')}`);
  return definition;
}

/** Per tenant: the services of its demo procedures on this platform (the generic seeding skips them). */
export function reservedDemoServices(): Map<string, string[]> {
  const reserved = new Map<string, string[]>();
  for (const p of DEMO_APPLICATION_PROCEDURES) reserved.set(p.tenant, [...(reserved.get(p.tenant) ?? []), p.leikaKey]);
  return reserved;
}

/** The owner's form with the slug, created with the definition as version 1 when missing. */
async function ensureForm(tx: Tx, ownerTenantId: string, definition: FormDefinition, share: boolean): Promise<string> {
  const slug = formSlug(definition.title.de);
  let form = await tx.selectFrom('forms').select('id').where('owner_tenant_id', '=', ownerTenantId).where('slug', '=', slug).executeTakeFirst();
  if (!form) {
    form = await tx.insertInto('forms').values({ owner_tenant_id: ownerTenantId, slug, title: definition.title.de }).returning('id').executeTakeFirstOrThrow();
    await tx.insertInto('form_versions').values({ form_id: form.id, version: 1, definition: JSON.stringify(definition), source: definition.source ?? 'Referenzformular (Demo)' }).execute();
  }
  if (share) await tx.updateTable('forms').set({ shared_at: sql<Date>`coalesce(shared_at, now())` }).where('id', '=', form.id).execute();
  return form.id;
}

/** Stores the demo forms and procedures for the tenants given by slug. */
export async function seedDemoApplications(db: Db, tenantIdsBySlug: Map<string, { id: string }>): Promise<void> {
  const definitions = new Map<string, FormDefinition>();
  for (const p of DEMO_APPLICATION_PROCEDURES) if (!definitions.has(p.form)) definitions.set(p.form, await demoForm(p.form));
  await db.transaction().execute(async (tx) => {
    for (const p of DEMO_APPLICATION_PROCEDURES) {
      const tenant = tenantIdsBySlug.get(p.tenant);
      const owner = tenantIdsBySlug.get(p.owner ?? p.tenant);
      if (!tenant || !owner) continue;
      const formId = await ensureForm(tx, owner.id, definitions.get(p.form)!, p.share ?? false);
      const procedureId = await upsertOnlineProcedure(tx, tenant.id, { leikaKey: p.leikaKey, name: p.name, kind: 'internal', url: null, maturityModel: '2', maturityLevel: 4 });
      const exists = await tx.selectFrom('application_procedures').select('online_procedure_id').where('online_procedure_id', '=', procedureId).executeTakeFirst();
      if (!exists) {
        await insertApplicationProcedure(tx, tenant.id, procedureId, formId, {
          formVersion: 1, followLatest: false, minTrustLevel: p.minTrustLevel, feeSchedule: p.fee ? feeSchedule.parse(p.fee) : null, paymentTiming: p.paymentTiming ?? 'none',
          processingDays: p.processingDays ?? null, contact: null, workflow: p.workflow ?? 'standard',
        });
      }
    }
  });
}
