/**
 * Demo data for the embedded default: a handful of connected authorities and staff logins.
 * Idempotent; never loaded with NODE_ENV=production (config refuses DEMO there).
 */
import type { Db } from '../platform/db/database.ts';
import { evaluateDigitalesAmt } from '../modules/digitales-amt/index.ts';
import { addMembership, enrolTotpSecret, hashPassword, upsertStaffAccount } from '../modules/staff/index.ts';
import type { FieldCipher } from '../platform/crypto/field-encryption.ts';
import { upsertTenant } from '../modules/tenants/index.ts';
import { reservedDemoServices, seedDemoApplications } from './seed-demo-applications.ts';
import { seedDemoCatalog } from './seed-demo-catalog.ts';
import { seedDemoDecisionTemplates } from './seed-demo-decision-templates.ts';

/** Public on purpose: printed at start and in the README. Refused in production with the rest of the demo. */
export const DEMO_PASSWORD = 'Demo-Amt-2026!';

/**
 * The demo staff logins. Each has a fixed TOTP secret (public on purpose, like the password): add it
 * to an authenticator app, or compute the code (`oathtool --totp -b SECRET`); tests compute it.
 */
export const DEMO_LOGINS = [
  { email: 'betrieb@demo.digitales-amt.de', displayName: 'Demo Betrieb', role: 'platform operator', totpSecret: 'O3SBVDZMQZLCUMC4SIVBQSA722V64HN3' },
  { email: 'sachbearbeitung@coburg.demo.digitales-amt.de', displayName: 'Sabine Sachbearbeiterin (Coburg)', role: 'caseworker, Stadt Coburg', totpSecret: '374UDZ3SU6R57GHGMNATEI2A5GTLICI2' },
  { email: 'verwaltung@landkreis-coburg.demo.digitales-amt.de', displayName: 'Lukas Landratsamt (Landkreis Coburg)', role: 'tenant administrator, Landratsamt Coburg', totpSecret: 'L56B2VT7GEFC253PBINBRRIIP3UTLNXS' },
  { email: 'redaktion@muenchen.demo.digitales-amt.de', displayName: 'Maria Redaktion (München)', role: 'editor, Landeshauptstadt München', totpSecret: 'GPXESEWJNQCGGMABUNDTFW4BMMMV6VNK' },
  { email: 'ministerium@demo.digitales-amt.de', displayName: 'Max Ministerium', role: 'state ministry', totpSecret: 'REMXDZ4WITG4NT5JKWR7UYUVO3ZODX2F' },
] as const;

/** Loads the demo tenants and staff accounts (their TOTP secrets encrypted with `cipher`). */
export async function seedDemoData(db: Db, cipher: FieldCipher): Promise<void> {
  const connectedAt = new Date('2026-01-15T09:00:00Z');
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const tenants = await db.transaction().execute(async (tx) => {
    const coburg = await upsertTenant(tx, { slug: 'coburg', name: 'Stadt Coburg', kind: 'municipality', municipalityAgs: '09463000', connectedAt });
    const lkCoburg = await upsertTenant(tx, { slug: 'landkreis-coburg', name: 'Landratsamt Coburg', kind: 'district_office', districtKey: '09473', connectedAt });
    await upsertTenant(tx, { slug: 'bad-neustadt', name: 'Stadt Bad Neustadt a.d.Saale', kind: 'municipality', municipalityAgs: '09673114', connectedAt });
    const muenchen = await upsertTenant(tx, { slug: 'muenchen', name: 'Landeshauptstadt München', kind: 'municipality', municipalityAgs: '09162000', connectedAt });
    await upsertTenant(tx, { slug: 'roedental', name: 'Stadt Rödental', kind: 'municipality', municipalityAgs: '09473159', connectedAt: null });
    const ministry = await upsertTenant(tx, { slug: 'stmd', name: 'Bayerisches Staatsministerium für Digitales', kind: 'ministry', connectedAt });

    const [operator, caseworker, districtAdmin, editor, ministryUser] = DEMO_LOGINS;
    await upsertStaffAccount(tx, { email: operator.email, displayName: operator.displayName, passwordHash, isPlatformOperator: true });
    await addMembership(tx, coburg.id, await upsertStaffAccount(tx, { email: caseworker.email, displayName: caseworker.displayName, passwordHash }), 'caseworker');
    await addMembership(tx, lkCoburg.id, await upsertStaffAccount(tx, { email: districtAdmin.email, displayName: districtAdmin.displayName, passwordHash }), 'tenant_admin');
    await addMembership(tx, muenchen.id, await upsertStaffAccount(tx, { email: editor.email, displayName: editor.displayName, passwordHash }), 'editor');
    await addMembership(tx, ministry.id, await upsertStaffAccount(tx, { email: ministryUser.email, displayName: ministryUser.displayName, passwordHash }), 'ministry');
    for (const login of DEMO_LOGINS) {
      const id = await upsertStaffAccount(tx, { email: login.email, displayName: login.displayName, passwordHash });
      await enrolTotpSecret(tx, id, cipher.encrypt(login.totpSecret));
    }
    return [coburg, lkCoburg, muenchen, ministry, await upsertTenant(tx, { slug: 'bad-neustadt', name: 'Stadt Bad Neustadt a.d.Saale', kind: 'municipality', municipalityAgs: '09673114', connectedAt })];
  });
  const bySlug = new Map(tenants.map((t) => [t.slug, { id: t.id, name: t.name }]));
  await seedDemoCatalog(db, bySlug, reservedDemoServices());
  await seedDemoApplications(db, bySlug);
  await seedDemoDecisionTemplates(db, bySlug);
  // So that the demo starts with its Digitales Amt awards (Coburg, München), not after the first periodic run.
  await evaluateDigitalesAmt(db);
}
