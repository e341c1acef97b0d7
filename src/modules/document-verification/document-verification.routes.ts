/**
 * The public verification page: anyone (no login) uploads a PDF and learns whether its seal is
 * valid, unchanged, covering the whole document and from a trusted authority. Rate-limited.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { emptyForm } from '../../platform/http/forms.ts';
import { multipartRouteConfig, readMultipartForm } from '../../platform/http/multipart.ts';
import type { MessageKey } from '../../platform/i18n/i18n.ts';
import type { SealKeyStore } from '../../platform/pdf/seal-keys.ts';
import { sanitizeFileName } from '../../platform/uploads/uploads.repository.ts';
import { verifyDocument } from './verify-document.ts';

const VIEW = 'modules/document-verification/views/verify.njk';
/** Largest PDF the page checks. */
export const VERIFY_MAX_BYTES = 20 * 1024 * 1024;

export interface DocumentVerificationDeps {
  sealKeys: SealKeyStore;
}

const ERROR_KEYS: Record<'missing' | 'not-pdf' | 'too-large' | 'malformed', MessageKey> = {
  missing: 'verify.error.missing', 'not-pdf': 'verify.error.notPdf', 'too-large': 'verify.error.tooLarge', malformed: 'verify.error.malformed',
};

function render(req: FastifyRequest, reply: FastifyReply, context: Record<string, unknown>, status = 200): FastifyReply {
  return reply.page(VIEW, { pageTitle: req.t('verify.title'), maxMegabytes: VERIFY_MAX_BYTES / 1024 / 1024, ...emptyForm(), ...context }, status);
}

export async function documentVerificationRoutes(app: FastifyInstance, deps: DocumentVerificationDeps): Promise<void> {
  app.get('/pruefen', async (req, reply) => render(req, reply, {}));

  app.post('/pruefen', {
    // One more byte than the page allows, so that an oversized file is recognised as truncated.
    config: { rateLimit: { max: 10, timeWindow: 60_000 }, ...multipartRouteConfig({ maxFileBytes: VERIFY_MAX_BYTES + 1, maxFiles: 1 }) },
  }, async (req, reply) => {
    const file = readMultipartForm(req).files.find((f) => f.fieldName === 'document');
    const outcome = await verifyDocument(deps.sealKeys, file, VERIFY_MAX_BYTES);
    if (!outcome.ok) {
      const message = req.t(ERROR_KEYS[outcome.code], { size: VERIFY_MAX_BYTES / 1024 / 1024 });
      return render(req, reply, {
        errors: [{ field: 'document', message }],
        fieldErrors: { __prefix: `${req.t('form.errorPrefix')} `, document: message },
      }, 400);
    }
    const r = outcome.value;
    req.log.info({ event: 'document_verified', sealed: r.sealed, valid: r.valid }, 'document checked');
    const messageKey: MessageKey = !r.sealed ? 'verify.result.notSealed'
      : !r.intact ? 'verify.result.broken'
        : !r.coversWholeDocument ? 'verify.result.notWhole'
          : !r.trusted ? 'verify.result.untrusted' : 'verify.result.valid';
    return render(req, reply, {
      result: {
        valid: r.valid,
        sealed: r.sealed,
        messageKey,
        fileName: sanitizeFileName(file?.fileName ?? ''),
        signer: r.signer,
        signedAt: r.signedAt,
        signedAtIso: r.signedAt?.toISOString(),
        signedAtText: r.signedAt?.toLocaleString(req.locale === 'de' ? 'de-DE' : 'en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Berlin' }),
        checks: [
          { labelKey: 'verify.check.intact', passed: r.intact },
          { labelKey: 'verify.check.whole', passed: r.coversWholeDocument },
          { labelKey: 'verify.check.trusted', passed: r.trusted },
        ],
      },
    });
  });
}
