/**
 * /konto/app-zugang: the person's access tokens for apps (create: shown once; list; revoke).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { Db } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/http/errors.ts';
import { emptyForm, validateForm, type FormErrors } from '../../platform/http/forms.ts';
import { createApiToken } from './api-tokens.ts';
import { listActiveApiTokens, revokeApiToken } from './api-tokens.repository.ts';
import { requireCitizen, type Citizen } from './identity.policy.ts';

const tokenForm = z.object({ name: z.string().trim().min(1, 'identity.apiTokens.name.required').max(80, 'identity.apiTokens.name.tooLong') });

/** Registers the page. */
export async function apiTokenRoutes(app: FastifyInstance, { db }: { db: Db }): Promise<void> {
  const page = async (req: FastifyRequest, reply: FastifyReply, citizen: Citizen, form: FormErrors, created: { token: string; expiresAt: Date } | null, status = 200) =>
    reply.page('modules/identity/views/api-tokens.njk', {
      pageTitle: req.t('identity.apiTokens.title'), tokens: await listActiveApiTokens(db, citizen.id), created, level: citizen.level,
      errorCount: form.errors.length, ...form,
    }, status);

  app.get('/konto/app-zugang', async (req, reply) => {
    const citizen = requireCitizen(req, reply);
    if (!citizen) return reply;
    return page(req, reply, citizen, emptyForm({ name: '' }), null);
  });

  app.post('/konto/app-zugang', async (req, reply) => {
    const citizen = requireCitizen(req, reply);
    if (!citizen) return reply;
    const form = validateForm(tokenForm, req.body, req.t);
    if (!form.ok) return page(req, reply, citizen, form, null, 400);
    const created = await createApiToken(db, citizen, form.value.name, req.id);
    // Shown once, on this answer only: never stored, never in a URL.
    reply.header('cache-control', 'no-store');
    return page(req, reply, citizen, emptyForm({ name: '' }), created, 201);
  });

  app.post<{ Params: { tokenId: string } }>('/konto/app-zugang/:tokenId/widerrufen', async (req, reply) => {
    const citizen = requireCitizen(req, reply);
    if (!citizen) return reply;
    if (!z.uuid().safeParse(req.params.tokenId).success || !(await revokeApiToken(db, citizen.id, req.params.tokenId))) throw new DomainError('NOT_FOUND');
    await recordAudit(db, { actorType: 'citizen', actorId: citizen.id, action: 'citizen.api_token_revoked', subjectType: 'api_token', subjectId: req.params.tokenId, requestId: req.id });
    return reply.redirect('/konto/app-zugang', 303);
  });
}
