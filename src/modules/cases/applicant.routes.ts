/**
 * The applicant's side of a case, beside the application pages of the applications module:
 * withdrawing an application that is still being processed, and paying the fee set in the
 * decision (fee notice). Only the owner (the person, or the organisation they act for) reaches them.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError } from '../../platform/http/errors.ts';
import { findOwnApplication, ownerOf } from '../applications/index.ts';
import { requireCitizen, type Citizen } from '../identity/index.ts';
import { allowPaymentFormTargets, formatEuro } from '../payments/index.ts';
import type { MessageKey } from '../../platform/i18n/i18n.ts';
import type { CasesRouteOptions } from './cases.routes.ts';
import { changeCaseStatus } from './change-case-status.ts';
import { decisionFeeOf, payDecisionFee } from './pay-decision-fee.ts';
import { OPEN_STATUSES } from './workflow.ts';
import { findDecision } from './cases.repository.ts';
import { caseThreadId } from '../mailbox/index.ts';

const VIEWS = 'modules/cases/views';

/** Registers /antraege/:id/zurueckziehen and /antraege/:id/gebuehr. */
export async function applicantCaseRoutes(app: FastifyInstance, options: CasesRouteOptions): Promise<void> {
  const { db } = options;
  const deps = options.cases;

  async function ownCase(req: FastifyRequest, reply: FastifyReply): Promise<{ citizen: Citizen; application: NonNullable<Awaited<ReturnType<typeof findOwnApplication>>> } | null> {
    const citizen = requireCitizen(req, reply);
    if (!citizen) return null;
    const id = z.uuid().safeParse((req.params as Record<string, string>).id);
    const application = id.success ? await findOwnApplication(db, ownerOf(citizen), id.data) : undefined;
    if (!application || application.status === 'draft') throw new DomainError('NOT_FOUND');
    return { citizen, application };
  }

  app.get('/antraege/:id/zurueckziehen', async (req, reply) => {
    const own = await ownCase(req, reply);
    if (!own) return reply;
    const withdrawable = OPEN_STATUSES.includes(own.application.status as (typeof OPEN_STATUSES)[number]);
    return reply.page(`${VIEWS}/withdraw.njk`, {
      pageTitle: req.t('cases.withdraw.title'), application: own.application, withdrawable,
      statusLabel: req.t(`applications.status.${own.application.status}` as MessageKey),
    });
  });

  app.post('/antraege/:id/zurueckziehen', async (req, reply) => {
    const own = await ownCase(req, reply);
    if (!own) return reply;
    const result = await changeCaseStatus(deps, {
      tenantId: own.application.tenantId, caseId: own.application.id, to: 'withdrawn',
      actor: { type: 'citizen', id: own.citizen.id, trustLevel: own.citizen.level },
    });
    if (!result.ok && result.code !== 'ILLEGAL_TRANSITION') throw new DomainError('NOT_FOUND');
    if (!result.ok) {
      return reply.page(`${VIEWS}/withdraw.njk`, {
        pageTitle: req.t('cases.withdraw.title'), application: own.application, withdrawable: false,
        statusLabel: req.t(`applications.status.${result.from}` as MessageKey),
      }, 409);
    }
    return reply.redirect(`/antraege/${own.application.id}`, 303);
  });

  const feePage = async (req: FastifyRequest, reply: FastifyReply, own: NonNullable<Awaited<ReturnType<typeof ownCase>>>, status = 200) => {
    const [fee, decision, threadId] = await Promise.all([
      decisionFeeOf(deps, own.application.tenantId, own.application.id),
      findDecision(db, own.application.tenantId, own.application.id),
      caseThreadId(db, own.application.tenantId, own.application.id),
    ]);
    const issued = decision?.status === 'issued' ? decision : null;
    return reply.page(`${VIEWS}/fee.njk`, {
      pageTitle: req.t('cases.fee.title'), application: own.application,
      decision: issued ? { issuedAt: issued.issuedAt, notifiedAt: issued.notifiedAt, outcomeLabel: req.t(`cases.decision.outcome.${issued.outcome}` as MessageKey) } : null,
      threadUrl: threadId ? `/postfach/${threadId}` : '/postfach',
      fee: fee ? {
        amount: formatEuro(fee.amountCents, req.locale), paid: formatEuro(fee.paidCents, req.locale), due: fee.amountCents - fee.paidCents,
        payments: fee.payments.map((p) => ({ ...p, amount: formatEuro(p.amountCents, req.locale), statusLabel: req.t(`payments.status.${p.status}` as MessageKey) })),
      } : null,
      outcome: typeof (req.query as Record<string, unknown>).zahlung === 'string' ? String((req.query as Record<string, unknown>).zahlung) : null,
    }, status);
  };

  app.get('/antraege/:id/gebuehr', async (req, reply) => {
    const own = await ownCase(req, reply);
    if (!own) return reply;
    return feePage(req, reply, own);
  });

  app.post('/antraege/:id/gebuehr', async (req, reply) => {
    const own = await ownCase(req, reply);
    if (!own) return reply;
    const result = await payDecisionFee({ db, payments: options.payments }, {
      tenantId: own.application.tenantId, caseId: own.application.id, reference: own.application.reference ?? '', baseUrl: options.payments.baseUrlOf(req),
    });
    if (!result.ok) return feePage(req, reply, own, 409);
    allowPaymentFormTargets(reply, options.payments);
    return reply.redirect(result.redirectUrl, 303);
  });
}
