/**
 * The Digitales Amt distinction: the public page with the municipalities that hold it, the open
 * data (CSV, JSON) of every connected municipality, the JSON API, and the ministry's confirmation.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../../app-deps.ts';
import type { Db } from '../../platform/db/database.ts';
import { confirmAward, type ConfirmAwardFailure } from './confirm-award.ts';
import { formatDay, isoDay, toCsv, toOpenDataRecords } from './digitales-amt.format.ts';
import { requireMinistryStaff } from './digitales-amt.policy.ts';
import { listAwards, listHolders, listStandings } from './digitales-amt.repository.ts';
import { DIGITALES_AMT_THRESHOLD } from './digitales-amt.rules.ts';
import { confirmParams, manageQuery } from './digitales-amt.schemas.ts';

const MANAGE = 'modules/digitales-amt/views/manage.njk';

/** Registers the public page, the open data, the API endpoint and the ministry's pages. */
export async function digitalesAmtRoutes(app: FastifyInstance, { db }: AppDeps): Promise<void> {
  app.get('/digitales-amt', async (req, reply) => {
    const holders = await listHolders(db);
    return reply.page('modules/digitales-amt/views/index.njk', {
      pageTitle: req.t('digitalesAmt.title'),
      threshold: DIGITALES_AMT_THRESHOLD,
      holders: holders.map((h) => ({ ...h, ...days(h, req) })),
    });
  });

  app.get('/digitales-amt.csv', async (_req, reply) => {
    const records = toOpenDataRecords(await listStandings(db));
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="digitales-amt.csv"')
      .send(toCsv(records));
  });

  app.get('/digitales-amt.json', async (_req, reply) => {
    const records = toOpenDataRecords(await listStandings(db));
    return reply
      .type('application/json; charset=utf-8')
      .header('content-disposition', 'attachment; filename="digitales-amt.json"')
      .send(JSON.stringify({ generated_at: new Date().toISOString(), threshold: DIGITALES_AMT_THRESHOLD, municipalities: records }, null, 2));
  });

  app.get('/api/v1/digitales-amt', async (_req, reply) => {
    const holders = await listHolders(db);
    return reply.send({
      threshold: DIGITALES_AMT_THRESHOLD,
      items: holders.map((h) => ({
        ags: h.ags, name: h.name, procedureCount: h.count, qualifiedAt: h.qualified_at?.toISOString() ?? null,
        confirmed: h.confirmed_at !== null, confirmedAt: h.confirmed_at?.toISOString() ?? null, url: `/gemeinden/${h.ags}`,
      })),
    });
  });

  app.get('/verwaltung/digitales-amt', async (req, reply) => {
    if (!await requireMinistryStaff(db, req, reply)) return reply;
    const query = manageQuery.safeParse(req.query);
    return renderManage(db, req, reply, { confirmedTenantId: query.success ? query.data.bestaetigt : undefined });
  });

  app.post<{ Params: { tenantId: string } }>('/verwaltung/digitales-amt/:tenantId/bestaetigen', async (req, reply) => {
    const account = await requireMinistryStaff(db, req, reply);
    if (!account) return reply;
    const params = confirmParams.safeParse(req.params);
    const result = params.success
      ? await confirmAward(db, { tenantId: params.data.tenantId, staffId: account.id, requestId: req.id })
      : { ok: false as const, code: 'NOT_FOUND' as const };
    if (!result.ok) {
      return renderManage(db, req, reply, { problem: describeProblem(result, req) }, result.code === 'NOT_FOUND' ? 404 : 409);
    }
    req.log.info({ event: 'digitales_amt_confirmed' }, 'award confirmed');
    return reply.redirect(`/verwaltung/digitales-amt?bestaetigt=${result.value.tenantId}`, 303);
  });
}

/** The award dates for display: "15. Januar 2026" and the ISO day for `<time>`. */
function days(row: { qualified_at: Date | null; confirmed_at: Date | null }, req: FastifyRequest) {
  return {
    qualifiedOn: row.qualified_at ? formatDay(row.qualified_at, req.locale) : null,
    qualifiedIso: row.qualified_at ? isoDay(row.qualified_at) : null,
    confirmedOn: row.confirmed_at ? formatDay(row.confirmed_at, req.locale) : null,
    confirmedIso: row.confirmed_at ? isoDay(row.confirmed_at) : null,
  };
}

async function renderManage(
  db: Db, req: FastifyRequest, reply: FastifyReply,
  state: { confirmedTenantId?: string | undefined; problem?: string }, status = 200,
): Promise<FastifyReply> {
  const awards = (await listAwards(db)).map((a) => ({ ...a, ...days(a, req), current: a.count >= DIGITALES_AMT_THRESHOLD }));
  const confirmed = state.confirmedTenantId ? awards.find((a) => a.tenant_id === state.confirmedTenantId && a.confirmed_at) : undefined;
  return reply.page(MANAGE, {
    pageTitle: req.t('digitalesAmt.manage.title'),
    threshold: DIGITALES_AMT_THRESHOLD,
    pending: awards.filter((a) => a.current && !a.confirmed_at),
    confirmedAwards: awards.filter((a) => a.confirmed_at),
    lapsed: awards.filter((a) => !a.current && !a.confirmed_at),
    done: confirmed ? req.t('digitalesAmt.manage.done', { name: confirmed.name }) : null,
    problem: state.problem ?? null,
    errorCount: state.problem ? 1 : 0,
  }, status);
}

function describeProblem(failure: ConfirmAwardFailure, req: FastifyRequest): string {
  switch (failure.code) {
    case 'NOT_FOUND': return req.t('digitalesAmt.manage.problem.NOT_FOUND');
    case 'ALREADY_CONFIRMED': return req.t('digitalesAmt.manage.problem.ALREADY_CONFIRMED', { name: failure.name, date: formatDay(failure.confirmedAt, req.locale) });
    case 'NOT_QUALIFIED': return req.t('digitalesAmt.manage.problem.NOT_QUALIFIED', { name: failure.name, count: failure.count, threshold: DIGITALES_AMT_THRESHOLD });
  }
}

