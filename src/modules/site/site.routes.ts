/**
 * The start page, the site search and the legal pages every public portal must have
 * (Impressum, Datenschutz, Leichte Sprache).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import type { Db } from '../../platform/db/database.ts';
import { chosenMunicipality, searchServices, tenantsServing } from '../catalog/index.ts';
import { searchDistricts, searchMunicipalities } from '../municipalities/index.ts';
import { listConnectedTenants } from '../tenants/index.ts';

const searchQuery = z.object({ q: z.string().max(200).optional() });

export async function siteRoutes(app: FastifyInstance, { db, config }: { db: Db; config: Config }): Promise<void> {
  app.get('/', async (req, reply) => {
    const tenants = await listConnectedTenants(db);
    return reply.page('modules/site/views/home.njk', {
      pageTitle: req.t('home.title'),
      q: '',
      connected: tenants.filter((t) => t.kind === 'municipality' || t.kind === 'district_office'),
    });
  });

  app.get('/suche', async (req, reply) => {
    const parsed = searchQuery.safeParse(req.query);
    const q = parsed.success ? (parsed.data.q ?? '').trim() : '';
    const municipality = await chosenMunicipality(db, req);
    const servingTenantIds = municipality ? await tenantsServing(db, municipality.ags) : [];
    const [municipalities, districts, services] = q === ''
      ? [[], [], { total: 0, items: [] }]
      : await Promise.all([searchMunicipalities(db, q, 20), searchDistricts(db, q), searchServices(db, { q, limit: 10, servingTenantIds })]);
    return reply.page('modules/site/views/search.njk', {
      pageTitle: q ? req.t('search.resultsTitle', { q }) : req.t('search.title'),
      q,
      municipalities,
      districts: districts.filter((d) => d.kind === 'landkreis'),
      services,
      municipality,
    });
  });

  for (const [path, page, titleKey] of [
    ['/impressum', 'imprint', 'page.imprint.title'],
    ['/datenschutz', 'privacy', 'page.privacy.title'],
  ] as const) {
    app.get(path, async (req, reply) =>
      reply.page(`modules/site/views/${page}.${req.locale}.njk`, { pageTitle: req.t(titleKey), operator: config.operator }));
  }

  // Leichte Sprache is German by definition; the English switch stays on the German text.
  app.get('/leichte-sprache', async (req, reply) =>
    reply.page('modules/site/views/easy-language.de.njk', { pageTitle: req.t('page.easyLanguage.title') }));
}
