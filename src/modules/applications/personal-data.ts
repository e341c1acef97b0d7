/**
 * The applications part of "download my data" (GDPR Art. 15/20) and of account deletion: the
 * person's own applications (not those of an organisation they act for) with their answers and
 * history. On deletion, drafts go; submitted applications stay with the authority (its records,
 * kept for their retention period) and lose the link to the account (`ON DELETE SET NULL`).
 */
import { deleteUploadsOfOwner } from '../../platform/uploads/index.ts';
import type { Answers } from '../forms/form-definition.ts';
import { registerPersonalDataSection, type PersonalDataValue } from '../identity/index.ts';
import { listEvents, listOwnApplications } from './applications.repository.ts';

/** Registers the section; call once at start. */
export function registerApplicationsPersonalData(): void {
  registerPersonalDataSection('applications', async ({ db, cipher, accountId }) => {
    const applications = await listOwnApplications(db, { accountId, organisationId: null }, 1000);
    const out: PersonalDataValue[] = [];
    for (const a of applications) {
      out.push({
        reference: a.reference, procedure: a.procedureName, authority: a.tenantName, status: a.status,
        startedAt: a.createdAt, submittedAt: a.submittedAt, trustLevel: a.trustLevel,
        answers: JSON.parse(cipher.decrypt(a.answersEnc)) as Answers as unknown as PersonalDataValue,
        history: (await listEvents(db, a.id)).map((e) => ({ status: e.status, at: e.createdAt, trustLevel: e.trustLevel })),
      });
    }
    return out;
  }, {
    async erase(tx, accountId) {
      const drafts = await tx.deleteFrom('applications').where('account_id', '=', accountId).where('status', '=', 'draft')
        .returning(['id', 'tenant_id']).execute();
      // Their evidence goes with them (uploads are linked by owner, not by a foreign key).
      for (const d of drafts) await deleteUploadsOfOwner(tx, d.tenant_id, 'application', d.id);
    },
  });
}
