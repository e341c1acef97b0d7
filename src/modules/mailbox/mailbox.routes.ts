/**
 * The mailbox pages. Citizens: /postfach (threads, newest first, with unread counts), a thread with
 * its messages both ways and the reply form (text and attachments, works without JavaScript), the
 * attachment downloads (the first is the retrieval receipt), and a new message to an authority.
 * Staff: /verwaltung/postfach, the tenant's threads, a thread (marks the applicant's messages read)
 * and the reply to the applicant. Another mailbox's or tenant's thread, message or attachment is
 * "not found" on every route.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { multipartRouteConfig, readMultipartForm, type ReceivedFile } from '../../platform/http/multipart.ts';
import { DomainError } from '../../platform/http/errors.ts';
import { emptyForm, validateForm, type FormErrors } from '../../platform/http/forms.ts';
import type { MessageKey } from '../../platform/i18n/i18n.ts';
import { sendDownload } from '../../platform/uploads/index.ts';
import { loadCitizenProfile } from '../identity/index.ts';
import { listConnectedTenants } from '../tenants/index.ts';
import { findOrganisationNameEnc, findOwnedThread, findTenantThread } from './mailbox.repository.ts';
import { requireMailboxOwner, requireMailboxStaff } from './mailbox.policy.ts';
import { attachmentParams, newThreadSchema, pageOf, replySchema, threadParams } from './mailbox.schemas.ts';
import type { MailboxDeps, StaffThreadView } from './mailbox.types.ts';
import { replyAsApplicant, startGeneralThread } from './post-from-applicant.ts';
import { postToApplicant, type OutgoingAttachment } from './post-to-applicant.ts';
import {
  listApplicantThreads, listStaffThreads, listThreadForStaff, markReadByAuthority, openThreadForApplicant, unreadCountForApplicant, unreadCountForTenant,
} from './read-threads.ts';
import { MAX_FILE_BYTES, MAX_FILES, MAX_MESSAGE_BYTES, receiveAttachments, type AttachmentRefusal } from './receive-attachments.ts';
import { retrieveAttachment } from './retrieve-attachment.ts';

const VIEWS = 'modules/mailbox/views';
const FILES_FIELD = 'anhaenge';
// Each file is held only up to the attachment limit (a longer one arrives truncated and is refused as too large).
const UPLOAD_ROUTE = { config: multipartRouteConfig({ maxFileBytes: MAX_FILE_BYTES }) };
const mb = (bytes: number): number => Math.round(bytes / 1024 / 1024);

/** Registers the citizen and staff mailbox pages (a Fastify plugin: `app.register(mailboxRoutes, deps)`). */
export async function mailboxRoutes(app: FastifyInstance, deps: MailboxDeps): Promise<void> {
  const { db } = deps;

  const filesHint = (req: FastifyRequest) => req.t('mailbox.form.filesHint', { count: MAX_FILES, fileMb: mb(MAX_FILE_BYTES), totalMb: mb(MAX_MESSAGE_BYTES) });

  function refusalText(req: FastifyRequest, refusal: AttachmentRefusal): string {
    if (refusal.code === 'too-many') return req.t('mailbox.file.too-many', { max: MAX_FILES });
    if (refusal.code === 'message-too-large') return req.t('mailbox.file.message-too-large', { max: mb(MAX_MESSAGE_BYTES) });
    return req.t(`mailbox.file.${refusal.code}` as MessageKey, { name: refusal.fileName, max: mb(MAX_FILE_BYTES) });
  }

  /**
   * Validates the text fields and inspects the files of a posted message form; a refused file
   * becomes the attachments field's error. Nothing is stored here.
   */
  async function readMessageForm<S extends z.ZodType>(req: FastifyRequest, schema: S): Promise<{ ok: true; value: z.infer<S>; files: OutgoingAttachment[] } | ({ ok: false; filesAgain: boolean } & FormErrors)> {
    const form = readMultipartForm(req);
    const result = validateForm(schema, form.fields, req.t);
    const files: ReceivedFile[] = form.files.filter((f) => f.fieldName === FILES_FIELD);
    const received = await receiveAttachments(files, deps.malwareScanner);
    if (result.ok && received.ok) return { ok: true, value: result.value, files: received.files };
    const errors = result.ok ? emptyForm(Object.fromEntries(Object.entries(form.fields).map(([k, v]) => [k, Array.isArray(v) ? v[0] ?? '' : v]))) : result;
    const out: FormErrors = { errors: [...errors.errors], fieldErrors: { __prefix: `${req.t('form.errorPrefix')} `, ...errors.fieldErrors }, values: errors.values };
    delete out.values._csrf;
    if (!received.ok) {
      const message = refusalText(req, received.refusal);
      out.errors.push({ field: FILES_FIELD, message });
      out.fieldErrors[FILES_FIELD] = message;
    }
    // The browser cannot keep chosen files across a re-render: good ones must be chosen again.
    return { ok: false, ...out, filesAgain: received.ok && files.length > 0 };
  }

  // ---- Citizens ----------------------------------------------------------------------------

  app.get('/postfach', async (req, reply) => {
    const me = requireMailboxOwner(req, reply);
    if (!me) return reply;
    const page = pageOf(req.query);
    const [list, unread] = await Promise.all([listApplicantThreads(db, deps, me.owner, page), unreadCountForApplicant(db, me.owner)]);
    return reply.page(`${VIEWS}/citizen-list.njk`, {
      pageTitle: req.t('mailbox.list.title'), threads: list.threads, unread, organisationName: me.citizen.organisationName,
      page, prevUrl: page > 1 ? `/postfach?seite=${page - 1}` : null, nextUrl: list.hasNext ? `/postfach?seite=${page + 1}` : null,
    });
  });

  async function renderNewThread(req: FastifyRequest, reply: FastifyReply, form: FormErrors & { filesAgain?: boolean }, status: number) {
    const tenants = await listConnectedTenants(db);
    return reply.page(`${VIEWS}/citizen-new.njk`, {
      pageTitle: `${form.errors.length ? `${req.t('form.errorPrefix')} ` : ''}${req.t('mailbox.new.title')}`,
      tenants: tenants.map((t) => ({ id: t.id, name: t.name })), filesHint: filesHint(req), filesField: FILES_FIELD, ...form,
    }, status);
  }

  app.get('/postfach/neu', async (req, reply) => {
    const me = requireMailboxOwner(req, reply);
    if (!me) return reply;
    return renderNewThread(req, reply, emptyForm(), 200);
  });

  app.post('/postfach/neu', UPLOAD_ROUTE, async (req, reply) => {
    const me = requireMailboxOwner(req, reply);
    if (!me) return reply;
    const read = await readMessageForm(req, newThreadSchema);
    if (!read.ok) return renderNewThread(req, reply, read, 400);
    const tenants = await listConnectedTenants(db);
    if (!tenants.some((t) => t.id === read.value.tenantId)) {
      const message = req.t('mailbox.form.tenantRequired');
      return renderNewThread(req, reply, {
        errors: [{ field: 'tenantId', message }], fieldErrors: { __prefix: `${req.t('form.errorPrefix')} `, tenantId: message },
        values: { subject: read.value.subject, text: read.value.text, tenantId: '' }, filesAgain: read.files.length > 0,
      }, 400);
    }
    const { threadId } = await startGeneralThread(deps, {
      owner: me.owner, tenantId: read.value.tenantId, subject: read.value.subject, body: read.value.text, trustLevel: me.citizen.level, attachments: read.files,
    });
    return reply.redirect(`/postfach/${threadId}?gesendet=1`, 303);
  });

  async function renderCitizenThread(req: FastifyRequest, reply: FastifyReply, threadId: string, form: FormErrors, status: number) {
    const me = requireMailboxOwner(req, reply);
    if (!me) return reply;
    const thread = await openThreadForApplicant(db, deps, me.owner, threadId);
    if (!thread) throw new DomainError('NOT_FOUND');
    return reply.page(`${VIEWS}/citizen-thread.njk`, {
      pageTitle: `${form.errors.length ? `${req.t('form.errorPrefix')} ` : ''}${thread.subject}`, thread,
      sent: (req.query as Record<string, unknown>).gesendet === '1' && form.errors.length === 0,
      filesHint: filesHint(req), filesField: FILES_FIELD, ...form,
    }, status);
  }

  app.get('/postfach/:threadId', async (req, reply) => {
    const params = threadParams.safeParse(req.params);
    if (!params.success) throw new DomainError('NOT_FOUND');
    return renderCitizenThread(req, reply, params.data.threadId, emptyForm(), 200);
  });

  app.post('/postfach/:threadId', UPLOAD_ROUTE, async (req, reply) => {
    const me = requireMailboxOwner(req, reply);
    if (!me) return reply;
    const params = threadParams.safeParse(req.params);
    if (!params.success) throw new DomainError('NOT_FOUND');
    const read = await readMessageForm(req, replySchema);
    if (!read.ok) return renderCitizenThread(req, reply, params.data.threadId, read, 400);
    const sent = await replyAsApplicant(deps, {
      owner: me.owner, threadId: params.data.threadId, body: read.value.text, trustLevel: me.citizen.level, attachments: read.files,
    });
    if (!sent) throw new DomainError('NOT_FOUND');
    return reply.redirect(`/postfach/${params.data.threadId}?gesendet=1`, 303);
  });

  app.get('/postfach/:threadId/anhaenge/:attachmentId', async (req, reply) => {
    const me = requireMailboxOwner(req, reply);
    if (!me) return reply;
    const params = attachmentParams.safeParse(req.params);
    if (!params.success) throw new DomainError('NOT_FOUND');
    const thread = await findOwnedThread(db, me.owner, params.data.threadId);
    if (!thread) throw new DomainError('NOT_FOUND');
    const upload = await retrieveAttachment(deps, { tenantId: thread.tenant_id, threadId: thread.id, caseId: thread.case_id, uploadId: params.data.attachmentId, by: 'applicant' });
    if (!upload) throw new DomainError('NOT_FOUND');
    return sendDownload(reply, { fileName: upload.fileName, mediaType: upload.mediaType, bytes: upload.bytes, disposition: 'attachment' });
  });

  // ---- Staff -------------------------------------------------------------------------------

  app.get('/verwaltung/postfach', async (req, reply) => {
    const staff = requireMailboxStaff(req, reply);
    if (!staff) return reply;
    const page = pageOf(req.query);
    const [list, unread] = await Promise.all([listStaffThreads(db, deps, staff.tenant.id, page), unreadCountForTenant(db, staff.tenant.id)]);
    return reply.page(`${VIEWS}/staff-list.njk`, {
      pageTitle: req.t('mailbox.staff.title'), tenantName: staff.tenant.name, threads: list.threads, unread,
      page, prevUrl: page > 1 ? `/verwaltung/postfach?seite=${page - 1}` : null, nextUrl: list.hasNext ? `/verwaltung/postfach?seite=${page + 1}` : null,
    });
  });

  /** Whom the thread is with, for the caseworker: the person's or the organisation's name. */
  async function applicantName(thread: StaffThreadView): Promise<string | null> {
    if (thread.organisationId) {
      const enc = await findOrganisationNameEnc(db, thread.organisationId);
      return enc ? deps.cipher.decrypt(enc) : null;
    }
    if (!thread.accountId) return null;
    const profile = await loadCitizenProfile(db, deps.cipher, thread.accountId);
    const name = [profile?.givenName, profile?.familyName].filter(Boolean).join(' ');
    return name || null;
  }

  async function renderStaffThread(req: FastifyRequest, reply: FastifyReply, threadId: string, form: FormErrors, status: number) {
    const staff = requireMailboxStaff(req, reply);
    if (!staff) return reply;
    const found = await listThreadForStaff(db, deps, staff.tenant.id, threadId);
    if (!found) throw new DomainError('NOT_FOUND');
    await markReadByAuthority(db, staff.tenant.id, found.id);
    return reply.page(`${VIEWS}/staff-thread.njk`, {
      pageTitle: `${form.errors.length ? `${req.t('form.errorPrefix')} ` : ''}${found.subject}`, thread: found,
      tenantName: staff.tenant.name, applicant: await applicantName(found), reachable: found.accountId !== null || found.organisationId !== null,
      sent: (req.query as Record<string, unknown>).gesendet === '1' && form.errors.length === 0,
      filesHint: filesHint(req), filesField: FILES_FIELD, ...form,
    }, status);
  }

  app.get('/verwaltung/postfach/:threadId', async (req, reply) => {
    const params = threadParams.safeParse(req.params);
    if (!params.success) throw new DomainError('NOT_FOUND');
    return renderStaffThread(req, reply, params.data.threadId, emptyForm(), 200);
  });

  app.post('/verwaltung/postfach/:threadId', UPLOAD_ROUTE, async (req, reply) => {
    const staff = requireMailboxStaff(req, reply);
    if (!staff) return reply;
    const params = threadParams.safeParse(req.params);
    if (!params.success) throw new DomainError('NOT_FOUND');
    // The thread first: another tenant's is "not found" whatever was posted.
    if (!(await findTenantThread(db, staff.tenant.id, params.data.threadId))) throw new DomainError('NOT_FOUND');
    const read = await readMessageForm(req, replySchema);
    if (!read.ok) return renderStaffThread(req, reply, params.data.threadId, read, 400);
    await db.transaction().execute((tx) => postToApplicant(tx, deps, {
      tenantId: staff.tenant.id, threadId: params.data.threadId, kind: 'message', senderStaffId: staff.account.id, body: read.value.text, attachments: read.files,
    }));
    return reply.redirect(`/verwaltung/postfach/${params.data.threadId}?gesendet=1`, 303);
  });

  app.get('/verwaltung/postfach/:threadId/anhaenge/:attachmentId', async (req, reply) => {
    const staff = requireMailboxStaff(req, reply);
    if (!staff) return reply;
    const params = attachmentParams.safeParse(req.params);
    if (!params.success) throw new DomainError('NOT_FOUND');
    const thread = await findTenantThread(db, staff.tenant.id, params.data.threadId);
    if (!thread) throw new DomainError('NOT_FOUND');
    const upload = await retrieveAttachment(deps, { tenantId: thread.tenant_id, threadId: thread.id, caseId: thread.case_id, uploadId: params.data.attachmentId, by: 'authority' });
    if (!upload) throw new DomainError('NOT_FOUND');
    // `?vorschau=1`: shown in the browser (PDF, image), in the download's sandbox; otherwise saved.
    const preview = (req.query as Record<string, unknown>).vorschau === '1';
    return sendDownload(reply, { fileName: upload.fileName, mediaType: upload.mediaType, bytes: upload.bytes, disposition: preview ? 'inline' : 'attachment' });
  });
}
