/**
 * The citizen's account pages (/konto): identity data (read-only), contact e-mail and phone with
 * verification, notification preference, step-up of the trust level, "download my data" (JSON and
 * a readable page) and the deletion of the account. Also the operators' page of captured demo text
 * messages (/betrieb/sms).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.ts';
import type { FieldCipher } from '../../platform/crypto/field-encryption.ts';
import type { Db } from '../../platform/db/database.ts';
import { emptyForm, validateForm, type FormErrors } from '../../platform/http/forms.ts';
import type { MessageKey } from '../../platform/i18n/i18n.ts';
import type { MailService } from '../../platform/mail/mail.ts';
import { listCapturedTextMessages, type TextMessageSender } from '../../platform/sms/sms.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import { requirePlatformOperator } from '../staff/index.ts';
import { findAccountSettings, findContactVerification, listLoginHistory, setMailboxNotification } from './account.repository.ts';
import { contactEmailForm, contactPhoneForm, deleteAccountForm, emailTokenForm, notificationsForm, phoneCodeForm } from './account.schemas.ts';
import { deleteCitizenAccount } from './delete-account.ts';
import { requireCitizen, requireCitizenLevel, type Citizen } from './identity.policy.ts';
import { findCitizenAccount } from './identity.repository.ts';
import { listMembershipsOf } from './organisation.repository.ts';
import { safeReturnPath } from './identity.schemas.ts';
import type { CitizenAddress } from './log-in-citizen.ts';
import { collectPersonalData, registerPersonalDataSection, type PersonalDataValue } from './personal-data.ts';
import { parseTrustLevel } from './saml-profile.ts';
import { confirmEmail, confirmPhone, deriveCodeKey, startEmailVerification, startPhoneVerification } from './verify-contact.ts';

export interface AccountDeps {
  config: Config;
  db: Db;
  cipher: FieldCipher;
  mail: MailService;
  sms: TextMessageSender | null;
  baseUrlOf(req: FastifyRequest): string;
}

const NOTICES = ['email_sent', 'email_verified', 'phone_sent', 'phone_verified', 'preferences_saved'] as const;
type Notice = typeof NOTICES[number];

/** The identity module's own section of the data export: the account, contact data, preferences, login history. */
export function registerIdentityPersonalData(): void {
  registerPersonalDataSection('account', async ({ db, cipher, accountId }) => {
    const account = await findCitizenAccount(db, accountId);
    const settings = await findAccountSettings(db, accountId);
    if (!account || !settings) return null;
    const history = await listLoginHistory(db, accountId);
    const address = account.address_enc ? JSON.parse(cipher.decrypt(account.address_enc)) as CitizenAddress : null;
    const pending = await Promise.all((['email', 'phone'] as const).map(async (kind) => {
      const row = await findContactVerification(db, accountId, kind);
      return row ? { kind, value: cipher.decrypt(row.value_enc), expiresAt: row.expires_at } : null;
    }));
    return {
      accountId: account.id,
      createdAt: account.created_at,
      lastLoginAt: account.last_login_at,
      lastTrustLevel: account.last_trust_level,
      fromIdentity: {
        givenName: cipher.decryptOptional(account.given_name_enc),
        familyName: cipher.decryptOptional(account.family_name_enc),
        birthDate: cipher.decryptOptional(account.birth_date_enc),
        email: cipher.decryptOptional(account.email_enc),
        address: address ? { ...address } : null,
      },
      contact: {
        email: cipher.decryptOptional(settings.contact_email_enc),
        phone: cipher.decryptOptional(settings.contact_phone_enc),
        pendingVerifications: pending.filter((p): p is NonNullable<typeof p> => p !== null),
      },
      preferences: { mailboxEmailNotice: settings.notify_mailbox_email },
      loginHistory: history.map((h) => {
        const d = h.details as Record<string, PersonalDataValue>;
        return { at: h.created_at, action: h.action, level: d.level ?? null, method: d.method ?? null, kind: d.kind ?? null };
      }),
    };
  });
}

/** Renders a value of the export for the HTML page: nested items with a label each. */
interface Item { label: string; text: string | null; children: Item[] }
function toItems(value: PersonalDataValue, label: string): Item {
  if (value === null || value === undefined) return { label, text: '—', children: [] };
  if (value instanceof Date) return { label, text: value.toISOString(), children: [] };
  if (Array.isArray(value)) return { label, text: value.length ? null : '—', children: value.map((v, i) => toItems(v, String(i + 1))) };
  if (typeof value === 'object') return { label, text: null, children: Object.entries(value).map(([k, v]) => toItems(v, k)) };
  return { label, text: String(value), children: [] };
}

export async function accountRoutes(app: FastifyInstance, deps: AccountDeps): Promise<void> {
  const { db, cipher } = deps;
  const verifyDeps = { db, cipher, mail: deps.mail, sms: deps.sms, codeKey: deriveCodeKey(deps.config.encryptionKey) };

  const accountPage = async (req: FastifyRequest, reply: FastifyReply, citizen: Citizen, forms: Partial<Record<'email' | 'phone' | 'code' | 'notifications', FormErrors>> = {}, status = 200) => {
    const account = await findCitizenAccount(db, citizen.id);
    const settings = await findAccountSettings(db, citizen.id);
    if (!account || !settings) return reply.redirect('/anmelden?weiter=%2Fkonto', 303);
    const address = account.address_enc ? JSON.parse(cipher.decrypt(account.address_enc)) as CitizenAddress : null;
    const pendingEmail = await findContactVerification(db, citizen.id, 'email');
    const pendingPhone = await findContactVerification(db, citizen.id, 'phone');
    const notice = NOTICES.find((n) => n === (req.query as Record<string, unknown>).hinweis) as Notice | undefined;
    const all = { email: emptyForm(), phone: emptyForm(), code: emptyForm(), notifications: emptyForm({ mailboxEmail: settings.notify_mailbox_email ? 'ja' : 'nein' }), ...forms };
    const errors = Object.values(forms).flatMap((f) => f.errors);
    return reply.page('modules/identity/views/account.njk', {
      pageTitle: req.t('identity.account.title'),
      name: [cipher.decryptOptional(account.given_name_enc), cipher.decryptOptional(account.family_name_enc)].filter(Boolean).join(' '),
      address,
      birthDate: cipher.decryptOptional(account.birth_date_enc),
      email: cipher.decryptOptional(account.email_enc),
      level: citizen.level,
      contactEmail: cipher.decryptOptional(settings.contact_email_enc),
      contactPhone: cipher.decryptOptional(settings.contact_phone_enc),
      pendingEmail: pendingEmail && pendingEmail.expires_at > new Date() ? cipher.decrypt(pendingEmail.value_enc) : null,
      pendingPhone: pendingPhone && pendingPhone.expires_at > new Date() ? cipher.decrypt(pendingPhone.value_enc) : null,
      phoneOffered: deps.sms !== null,
      notice: notice ? req.t(`identity.notice.${notice}` as MessageKey) : null,
      forms: all,
      errors,
      errorCount: errors.length,
      fieldErrors: Object.assign({}, ...Object.values(all).map((f) => f.fieldErrors)),
      notificationOptions: [{ value: 'ja', label: req.t('identity.notifications.yes') }, { value: 'nein', label: req.t('identity.notifications.no') }],
      organisation: citizen.organisationId ? { name: citizen.organisationName } : null,
      memberships: (await listMembershipsOf(db, citizen.id)).map((m) => ({ id: m.organisation_id, name: cipher.decrypt(m.name_enc), role: m.role })),
      actingAs: citizen.organisationId ?? '',
    }, status);
  };

  app.get('/konto', async (req, reply) => {
    const citizen = requireCitizen(req, reply);
    if (!citizen) return reply;
    return accountPage(req, reply, citizen);
  });

  // Step-up: log in again at a higher level, then back.
  app.get('/konto/niveau', async (req, reply) => {
    const query = req.query as Record<string, unknown>;
    const level = parseTrustLevel(query.niveau) ?? 'hoch';
    const returnTo = safeReturnPath(query.weiter);
    if (!requireCitizenLevel(req, reply, level, returnTo)) return reply;
    return reply.redirect(returnTo, 303);
  });

  app.post('/konto/kontakt/email', async (req, reply) => {
    const citizen = requireCitizen(req, reply);
    if (!citizen) return reply;
    const result = validateForm(contactEmailForm, req.body, req.t);
    if (!result.ok) return accountPage(req, reply, citizen, { email: result }, 400);
    await startEmailVerification(verifyDeps, { accountId: citizen.id, email: result.value.email, baseUrl: deps.baseUrlOf(req), t: req.t, requestId: req.id });
    return reply.redirect('/konto?hinweis=email_sent', 303);
  });

  // The link from the mail shows a button: mail scanners that open links must not use the token up.
  app.get('/konto/kontakt/bestaetigen', async (req, reply) => {
    const parsed = emailTokenForm.safeParse(req.query);
    return reply.page('modules/identity/views/confirm-email.njk', { pageTitle: req.t('identity.contact.confirm.title'), token: parsed.success ? parsed.data.token : '', valid: parsed.success });
  });

  app.post('/konto/kontakt/bestaetigen', async (req, reply) => {
    const parsed = emailTokenForm.safeParse(req.body);
    const ok = parsed.success && await confirmEmail(verifyDeps, parsed.data.token, req.id);
    if (!ok) return reply.page('modules/identity/views/confirm-email.njk', { pageTitle: req.t('identity.contact.confirm.title'), valid: false }, 400);
    return reply.redirect(req.citizen ? '/konto?hinweis=email_verified' : '/konto/kontakt/bestaetigt', 303);
  });

  app.get('/konto/kontakt/bestaetigt', async (req, reply) =>
    reply.page('modules/identity/views/confirm-email.njk', { pageTitle: req.t('identity.contact.confirm.title'), done: true }));

  app.post('/konto/kontakt/telefon', async (req, reply) => {
    const citizen = requireCitizen(req, reply);
    if (!citizen) return reply;
    if (!deps.sms) return accountPage(req, reply, citizen, {}, 404);
    const result = validateForm(contactPhoneForm, req.body, req.t);
    if (!result.ok) return accountPage(req, reply, citizen, { phone: result }, 400);
    await startPhoneVerification(verifyDeps, { accountId: citizen.id, phone: result.value.phone, t: req.t, requestId: req.id });
    return reply.redirect('/konto?hinweis=phone_sent#telefon-code', 303);
  });

  app.post('/konto/kontakt/telefon/code', { config: { rateLimit: { max: 20, timeWindow: 60_000 } } }, async (req, reply) => {
    const citizen = requireCitizen(req, reply);
    if (!citizen) return reply;
    const result = validateForm(phoneCodeForm, req.body, req.t);
    if (!result.ok) return accountPage(req, reply, citizen, { code: result }, 400);
    const confirmed = await confirmPhone(verifyDeps, { accountId: citizen.id, code: result.value.code, requestId: req.id });
    if (!confirmed.ok) {
      const message = req.t(confirmed.code === 'WRONG_CODE' ? 'identity.contact.code.wrong' : confirmed.code === 'TOO_MANY' ? 'identity.contact.code.tooMany' : 'identity.contact.code.none');
      return accountPage(req, reply, citizen, {
        code: { errors: [{ field: 'code', message }], fieldErrors: { __prefix: `${req.t('form.errorPrefix')} `, code: message }, values: { code: result.value.code } },
      }, 400);
    }
    return reply.redirect('/konto?hinweis=phone_verified', 303);
  });

  app.post('/konto/benachrichtigungen', async (req, reply) => {
    const citizen = requireCitizen(req, reply);
    if (!citizen) return reply;
    const result = validateForm(notificationsForm, req.body, req.t);
    if (!result.ok) return accountPage(req, reply, citizen, { notifications: result }, 400);
    await setMailboxNotification(db, citizen.id, result.value.mailboxEmail === 'ja');
    await recordAudit(db, { actorType: 'citizen', actorId: citizen.id, action: 'citizen.preferences_changed', details: { mailboxEmail: result.value.mailboxEmail === 'ja' }, requestId: req.id });
    return reply.redirect('/konto?hinweis=preferences_saved', 303);
  });

  app.get('/konto/daten', async (req, reply) => {
    const citizen = requireCitizen(req, reply);
    if (!citizen) return reply;
    const sections = await collectPersonalData({ db, cipher, accountId: citizen.id });
    return reply.page('modules/identity/views/my-data.njk', {
      pageTitle: req.t('identity.data.title'),
      sections: sections.map((s) => ({ name: s.name, item: toItems(s.data, s.name) })),
    });
  });

  app.get('/konto/daten.json', async (req, reply) => {
    const citizen = requireCitizen(req, reply);
    if (!citizen) return reply;
    const sections = await collectPersonalData({ db, cipher, accountId: citizen.id });
    const body = { exportedAt: new Date().toISOString(), format: 'digitales-amt/personal-data/v1', sections: Object.fromEntries(sections.map((s) => [s.name, s.data])) };
    return reply.type('application/json; charset=utf-8')
      .header('content-disposition', 'attachment; filename="meine-daten.json"')
      .send(JSON.stringify(body, null, 2));
  });

  app.get('/konto/loeschen', async (req, reply) => {
    const citizen = requireCitizen(req, reply);
    if (!citizen) return reply;
    return reply.page('modules/identity/views/delete.njk', { pageTitle: req.t('identity.delete.title'), ...emptyForm() });
  });

  app.post('/konto/loeschen', async (req, reply) => {
    const citizen = requireCitizen(req, reply);
    if (!citizen) return reply;
    const result = validateForm(deleteAccountForm, req.body, req.t);
    if (!result.ok) return reply.page('modules/identity/views/delete.njk', { pageTitle: req.t('identity.delete.title'), errorCount: result.errors.length, ...result }, 400);
    await deleteCitizenAccount(db, citizen.id, req.id);
    req.log.info({ event: 'citizen_account_deleted', reqId: req.id }, 'citizen account deleted');
    await req.session.destroy();
    return reply.redirect('/konto/geloescht', 303);
  });

  app.get('/konto/geloescht', async (req, reply) =>
    reply.page('modules/identity/views/deleted.njk', { pageTitle: req.t('identity.deleted.title') }));

  app.get('/betrieb/sms', async (req, reply) => {
    if (!requirePlatformOperator(req, reply)) return reply;
    return reply.page('modules/identity/views/text-messages.njk', { pageTitle: req.t('identity.sms.title'), messages: await listCapturedTextMessages(db, cipher) });
  });
}
