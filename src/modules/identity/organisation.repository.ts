/**
 * SQL for business accounts: organisations (asserted at login), their members with roles, and
 * invitations by e-mail.
 */
import type { Db, Tx } from '../../platform/db/database.ts';
import type { OrganisationRole } from '../../platform/db/schema.ts';

export type { OrganisationRole };

/** Creates the organisation for this id hash or updates its name and address; returns its id. */
export async function upsertOrganisation(tx: Tx, v: { externalIdHash: string; nameEnc: string; addressEnc: string | null }): Promise<string> {
  const row = await tx.insertInto('organisations').values({ external_id_hash: v.externalIdHash, name_enc: v.nameEnc, address_enc: v.addressEnc })
    .onConflict((oc) => oc.column('external_id_hash').doUpdateSet({ name_enc: v.nameEnc, address_enc: v.addressEnc, updated_at: new Date() }))
    .returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function countMembers(tx: Db | Tx, organisationId: string): Promise<number> {
  const row = await tx.selectFrom('organisation_members').select((eb) => eb.fn.countAll<number>().as('n')).where('organisation_id', '=', organisationId).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function countAdministrators(tx: Db | Tx, organisationId: string): Promise<number> {
  const row = await tx.selectFrom('organisation_members').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('organisation_id', '=', organisationId).where('role', '=', 'administrator').executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Adds the member unless already one (the role of an existing member is kept). */
export async function addMember(tx: Db | Tx, organisationId: string, accountId: string, role: OrganisationRole): Promise<void> {
  await tx.insertInto('organisation_members').values({ organisation_id: organisationId, account_id: accountId, role })
    .onConflict((oc) => oc.columns(['organisation_id', 'account_id']).doNothing()).execute();
}

/** The account's membership in the organisation (with the organisation's encrypted name), or undefined. */
export async function findMembership(db: Db | Tx, organisationId: string, accountId: string) {
  return db.selectFrom('organisation_members as m').innerJoin('organisations as o', 'o.id', 'm.organisation_id')
    .select(['m.organisation_id', 'm.role', 'o.name_enc', 'o.address_enc'])
    .where('m.organisation_id', '=', organisationId).where('m.account_id', '=', accountId).executeTakeFirst();
}

/** The organisations the account is a member of. */
export async function listMembershipsOf(db: Db, accountId: string) {
  return db.selectFrom('organisation_members as m').innerJoin('organisations as o', 'o.id', 'm.organisation_id')
    .select(['m.organisation_id', 'm.role', 'm.created_at', 'o.name_enc', 'o.address_enc'])
    .where('m.account_id', '=', accountId).orderBy('m.created_at').execute();
}

/** The members of an organisation with their (encrypted) names. */
export async function listMembers(db: Db, organisationId: string) {
  return db.selectFrom('organisation_members as m').innerJoin('citizen_accounts as a', 'a.id', 'm.account_id')
    .select(['m.account_id', 'm.role', 'm.created_at', 'a.given_name_enc', 'a.family_name_enc'])
    .where('m.organisation_id', '=', organisationId).orderBy('m.created_at').execute();
}

export async function setMemberRole(tx: Db | Tx, organisationId: string, accountId: string, role: OrganisationRole): Promise<boolean> {
  const r = await tx.updateTable('organisation_members').set({ role }).where('organisation_id', '=', organisationId).where('account_id', '=', accountId).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function removeMember(tx: Db | Tx, organisationId: string, accountId: string): Promise<boolean> {
  const r = await tx.deleteFrom('organisation_members').where('organisation_id', '=', organisationId).where('account_id', '=', accountId).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function insertInvitation(tx: Db | Tx, v: { organisationId: string; emailEnc: string; role: OrganisationRole; tokenHash: string; invitedBy: string; expiresAt: Date }): Promise<string> {
  const row = await tx.insertInto('organisation_invitations').values({
    organisation_id: v.organisationId, email_enc: v.emailEnc, role: v.role, token_hash: v.tokenHash, invited_by: v.invitedBy, expires_at: v.expiresAt,
  }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** The open (not accepted, not expired) invitation with this token hash, with the organisation's name. */
export async function findOpenInvitation(db: Db | Tx, tokenHash: string) {
  return db.selectFrom('organisation_invitations as i').innerJoin('organisations as o', 'o.id', 'i.organisation_id')
    .select(['i.id', 'i.organisation_id', 'i.role', 'o.name_enc'])
    .where('i.token_hash', '=', tokenHash).where('i.accepted_at', 'is', null).where('i.expires_at', '>', new Date()).executeTakeFirst();
}

/** Marks the invitation accepted if it still was open: at most one caller gets true. */
export async function acceptInvitation(tx: Tx, id: string): Promise<boolean> {
  const r = await tx.updateTable('organisation_invitations').set({ accepted_at: new Date() })
    .where('id', '=', id).where('accepted_at', 'is', null).where('expires_at', '>', new Date()).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Open invitations of an organisation (for its administrators). */
export async function listOpenInvitations(db: Db, organisationId: string) {
  return db.selectFrom('organisation_invitations').select(['id', 'email_enc', 'role', 'expires_at'])
    .where('organisation_id', '=', organisationId).where('accepted_at', 'is', null).where('expires_at', '>', new Date()).orderBy('created_at').execute();
}

/** The stored (encrypted) name of an organisation. */
export async function findOrganisationNameEnc(db: Db | Tx, organisationId: string): Promise<string | undefined> {
  const row = await db.selectFrom('organisations').select('name_enc').where('id', '=', organisationId).executeTakeFirst();
  return row?.name_enc;
}
