/**
 * Business accounts (Unternehmenskonto): acting for an organisation or as oneself ("act as"), the
 * organisation's page with its members, and for administrators: invitations by e-mail (single-use
 * token, seven days), role changes and removals. An organisation the citizen is not a member of is
 * "not found"; an organisation always keeps at least one administrator.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { FieldCipher } from '../../platform/crypto/field-encryption.ts';
import type { Db } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/http/errors.ts';
import { emptyForm, validateForm, type FormErrors } from '../../platform/http/forms.ts';
import type { MailService } from '../../platform/mail/mail.ts';
import { requireCitizen, type Citizen } from './identity.policy.ts';
import {
  acceptInvitation, addMember, countAdministrators, findMembership, findOpenInvitation, insertInvitation, listMembers, listMembershipsOf,
  listOpenInvitations, removeMember, setMemberRole, type OrganisationRole,
} from './organisation.repository.ts';
import { registerPersonalDataSection } from './personal-data.ts';

export interface OrganisationDeps {
  db: Db;
  cipher: FieldCipher;
  mail: MailService;
  baseUrlOf(req: FastifyRequest): string;
}

export const INVITATION_LIFETIME_MS = 7 * 24 * 3600_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

const actAsForm = z.object({ organisation: z.union([z.literal(''), z.string().regex(UUID)]) });
const inviteForm = z.object({
  email: z.string({ error: 'identity.contact.email.required' }).trim().min(1, 'identity.contact.email.required').max(254, 'identity.contact.email.invalid').pipe(z.email('identity.contact.email.invalid')),
  role: z.enum(['administrator', 'member'], { error: 'identity.org.role.required' }),
});
const roleForm = z.object({ role: z.enum(['administrator', 'member'], { error: 'identity.org.role.required' }) });
const tokenForm = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{43}$/) });

/** The organisations section of the data export: memberships and roles. */
export function registerOrganisationPersonalData(): void {
  registerPersonalDataSection('organisations', async ({ db, cipher, accountId }) => {
    const rows = await listMembershipsOf(db, accountId);
    return rows.map((r) => ({ organisationId: r.organisation_id, name: cipher.decrypt(r.name_enc), role: r.role, memberSince: r.created_at }));
  });
}

export async function organisationRoutes(app: FastifyInstance, { db, cipher, mail, baseUrlOf }: OrganisationDeps): Promise<void> {
  /** The citizen's membership in the organisation of the URL; another organisation is "not found". */
  const membershipOf = async (citizen: Citizen, id: string) => {
    if (!UUID.test(id)) throw new DomainError('NOT_FOUND');
    const m = await findMembership(db, id, citizen.id);
    if (!m) throw new DomainError('NOT_FOUND');
    return m;
  };
  const requireAdmin = async (citizen: Citizen, id: string) => {
    const m = await membershipOf(citizen, id);
    if (m.role !== 'administrator') throw new DomainError('NOT_FOUND');
    return m;
  };

  const orgPage = async (req: FastifyRequest, reply: FastifyReply, citizen: Citizen, id: string, invite: FormErrors = emptyForm({ role: 'member' }), status = 200) => {
    const m = await membershipOf(citizen, id);
    const members = await listMembers(db, id);
    const isAdmin = m.role === 'administrator';
    const notice = (req.query as Record<string, unknown>).hinweis;
    return reply.page('modules/identity/views/organisation.njk', {
      pageTitle: cipher.decrypt(m.name_enc),
      organisationId: id,
      address: m.address_enc ? JSON.parse(cipher.decrypt(m.address_enc)) as Record<string, string | null> : null,
      role: m.role,
      isAdmin,
      acting: citizen.organisationId === id,
      members: members.map((x) => ({
        accountId: x.account_id, role: x.role, self: x.account_id === citizen.id,
        name: [cipher.decryptOptional(x.given_name_enc), cipher.decryptOptional(x.family_name_enc)].filter(Boolean).join(' ') || req.t('identity.org.unnamed'),
      })),
      invitations: isAdmin ? (await listOpenInvitations(db, id)).map((i) => ({ email: cipher.decrypt(i.email_enc), role: i.role, expiresAt: i.expires_at })) : [],
      roleOptions: [{ value: 'member', label: req.t('identity.org.role.member') }, { value: 'administrator', label: req.t('identity.org.role.administrator') }],
      notice: notice === 'invited' ? req.t('identity.org.notice.invited') : notice === 'saved' ? req.t('identity.org.notice.saved') : notice === 'last_admin' ? req.t('identity.org.notice.lastAdmin') : null,
      errorCount: invite.errors.length,
      ...invite,
    }, status);
  };

  app.post('/konto/handeln-als', async (req, reply) => {
    const citizen = requireCitizen(req, reply);
    if (!citizen) return reply;
    const parsed = actAsForm.safeParse(req.body ?? {});
    if (!parsed.success) throw new DomainError('BAD_REQUEST');
    if (parsed.data.organisation) await membershipOf(citizen, parsed.data.organisation);
    req.session.actingOrganisationId = parsed.data.organisation || undefined;
    await recordAudit(db, { actorType: 'citizen', actorId: citizen.id, action: 'citizen.acting_as', details: { organisationId: parsed.data.organisation || null }, requestId: req.id });
    return reply.redirect('/konto', 303);
  });

  app.get<{ Params: { id: string } }>('/konto/organisation/:id', async (req, reply) => {
    const citizen = requireCitizen(req, reply);
    if (!citizen) return reply;
    return orgPage(req, reply, citizen, req.params.id);
  });

  app.post<{ Params: { id: string } }>('/konto/organisation/:id/einladen', async (req, reply) => {
    const citizen = requireCitizen(req, reply);
    if (!citizen) return reply;
    const m = await requireAdmin(citizen, req.params.id);
    const result = validateForm(inviteForm, req.body, req.t);
    if (!result.ok) return orgPage(req, reply, citizen, req.params.id, result, 400);
    const token = randomBytes(32).toString('base64url');
    const link = `${baseUrlOf(req)}/konto/einladung?token=${token}`;
    const orgName = cipher.decrypt(m.name_enc);
    await db.transaction().execute(async (tx) => {
      const id = await insertInvitation(tx, {
        organisationId: req.params.id, emailEnc: cipher.encrypt(result.value.email), role: result.value.role, tokenHash: sha256(token),
        invitedBy: citizen.id, expiresAt: new Date(Date.now() + INVITATION_LIFETIME_MS),
      });
      await mail.queue(tx, { to: result.value.email, subject: req.t('identity.org.mail.subject', { name: orgName }), text: req.t('identity.org.mail.text', { name: orgName, link }) });
      await recordAudit(tx, { actorType: 'citizen', actorId: citizen.id, action: 'organisation.member_invited', subjectType: 'organisation', subjectId: req.params.id, details: { invitationId: id, role: result.value.role }, requestId: req.id });
    });
    return reply.redirect(`/konto/organisation/${req.params.id}?hinweis=invited`, 303);
  });

  /** Changes a member's role or removes them, unless that leaves no administrator. */
  const changeMember = async (req: FastifyRequest<{ Params: { id: string; accountId: string } }>, reply: FastifyReply, change: { role: OrganisationRole } | { remove: true }) => {
    const citizen = requireCitizen(req, reply);
    if (!citizen) return reply;
    await requireAdmin(citizen, req.params.id);
    if (!UUID.test(req.params.accountId)) throw new DomainError('NOT_FOUND');
    const outcome = await db.transaction().execute(async (tx) => {
      const target = await findMembership(tx, req.params.id, req.params.accountId);
      if (!target) return 'not_found' as const;
      const losesAdmin = target.role === 'administrator' && ('remove' in change || change.role !== 'administrator');
      if (losesAdmin && (await countAdministrators(tx, req.params.id)) <= 1) return 'last_admin' as const;
      if ('remove' in change) await removeMember(tx, req.params.id, req.params.accountId);
      else await setMemberRole(tx, req.params.id, req.params.accountId, change.role);
      await recordAudit(tx, {
        actorType: 'citizen', actorId: citizen.id, action: 'remove' in change ? 'organisation.member_removed' : 'organisation.member_role_changed',
        subjectType: 'organisation', subjectId: req.params.id, details: { memberId: req.params.accountId, role: 'remove' in change ? null : change.role }, requestId: req.id,
      });
      return 'ok' as const;
    });
    if (outcome === 'not_found') throw new DomainError('NOT_FOUND');
    // Removing oneself ends acting for the organisation.
    if ('remove' in change && req.params.accountId === citizen.id && outcome === 'ok') {
      req.session.actingOrganisationId = undefined;
      return reply.redirect('/konto', 303);
    }
    return reply.redirect(`/konto/organisation/${req.params.id}?hinweis=${outcome === 'ok' ? 'saved' : 'last_admin'}`, 303);
  };

  app.post<{ Params: { id: string; accountId: string } }>('/konto/organisation/:id/mitglieder/:accountId/rolle', async (req, reply) => {
    const parsed = roleForm.safeParse(req.body ?? {});
    if (!parsed.success) throw new DomainError('BAD_REQUEST');
    return changeMember(req, reply, { role: parsed.data.role });
  });

  app.post<{ Params: { id: string; accountId: string } }>('/konto/organisation/:id/mitglieder/:accountId/entfernen', async (req, reply) =>
    changeMember(req, reply, { remove: true }));

  // The invitation link: the invited person logs in as themselves (and comes back here), then accepts.
  app.get('/konto/einladung', async (req, reply) => {
    const parsed = tokenForm.safeParse(req.query);
    if (!req.citizen) {
      return reply.redirect(`/anmelden?weiter=${encodeURIComponent(parsed.success ? `/konto/einladung?token=${parsed.data.token}` : '/konto')}`, 303);
    }
    const invitation = parsed.success ? await findOpenInvitation(db, sha256(parsed.data.token)) : undefined;
    return reply.page('modules/identity/views/invitation.njk', {
      pageTitle: req.t('identity.org.invitation.title'),
      invitation: invitation ? { name: cipher.decrypt(invitation.name_enc), role: invitation.role } : null,
      token: parsed.success ? parsed.data.token : '',
    }, invitation ? 200 : 400);
  });

  app.post('/konto/einladung', async (req, reply) => {
    const citizen = requireCitizen(req, reply);
    if (!citizen) return reply;
    const parsed = tokenForm.safeParse(req.body ?? {});
    const organisationId = parsed.success ? await db.transaction().execute(async (tx) => {
      const invitation = await findOpenInvitation(tx, sha256(parsed.data.token));
      if (!invitation || !(await acceptInvitation(tx, invitation.id))) return null;
      await addMember(tx, invitation.organisation_id, citizen.id, invitation.role);
      await recordAudit(tx, { actorType: 'citizen', actorId: citizen.id, action: 'organisation.member_joined', subjectType: 'organisation', subjectId: invitation.organisation_id, details: { invitationId: invitation.id, role: invitation.role }, requestId: req.id });
      return invitation.organisation_id;
    }) : null;
    if (!organisationId) return reply.page('modules/identity/views/invitation.njk', { pageTitle: req.t('identity.org.invitation.title'), invitation: null }, 400);
    return reply.redirect(`/konto/organisation/${organisationId}`, 303);
  });
}
