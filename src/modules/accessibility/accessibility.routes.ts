/**
 * The accessibility statement (BITV 2.0 § 7) and its feedback channel.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { emptyForm, validateForm } from '../../platform/http/forms.ts';
import { feedbackForm } from './accessibility.schemas.ts';
import { submitFeedback, type FeedbackDeps } from './submit-feedback.ts';

const FORM = 'modules/accessibility/views/feedback.njk';

export async function accessibilityRoutes(app: FastifyInstance, deps: FeedbackDeps & { contactEmail: string }): Promise<void> {
  app.get('/barrierefreiheit', async (req, reply) =>
    reply.page(`modules/accessibility/views/statement.${req.locale}.njk`, { pageTitle: req.t('page.accessibility.title'), contactEmail: deps.contactEmail }));

  app.get('/barrierefreiheit/feedback', async (req, reply) => {
    const from = z.object({ seite: z.string().max(500).optional() }).safeParse(req.query);
    return reply.page(FORM, { pageTitle: req.t('feedback.title'), ...emptyForm({ pageUrl: from.success ? (from.data.seite ?? '') : '' }) });
  });

  app.post('/barrierefreiheit/feedback', {
    config: { rateLimit: { max: 5, timeWindow: 60_000 } },
  }, async (req, reply) => {
    const result = validateForm(feedbackForm, req.body, req.t);
    if (!result.ok) {
      return reply.page(FORM, { pageTitle: req.t('feedback.title'), errorCount: result.errors.length, ...result }, 400);
    }
    const reference = await submitFeedback(deps, result.value, req.locale, req.t);
    req.log.info({ event: 'accessibility_feedback_received' }, 'feedback stored');
    return reply.redirect(`/barrierefreiheit/feedback/danke?ref=${encodeURIComponent(reference)}`, 303);
  });

  app.get('/barrierefreiheit/feedback/danke', async (req, reply) => {
    const parsed = z.object({ ref: z.string().regex(/^BF-[2-9A-Z]{4}-[2-9A-Z]{4}$/) }).safeParse(req.query);
    return reply.page('modules/accessibility/views/feedback-thanks.njk', {
      pageTitle: req.t('feedback.thanks.title'),
      reference: parsed.success ? parsed.data.ref : null,
    });
  });
}
