/**
 * Kysely table types, one interface per table in `migrations/`. Keep in step with the SQL.
 */
import type { ColumnType, Generated } from 'kysely';

/** A timestamp column; optional on insert where the table has a default. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;

export interface DistrictsTable {
  key: string;
  name: string;
  kind: 'landkreis' | 'kreisfreie_stadt';
  regierungsbezirk: string;
  search_name: string;
}

export type MunicipalityKind = 'gemeinde' | 'markt' | 'stadt' | 'grosse_kreisstadt' | 'kreisfreie_stadt';

export interface MunicipalitiesTable {
  ags: string;
  ars: string;
  official_name: string;
  name: string;
  kind: MunicipalityKind;
  district_key: string;
  regierungsbezirk: string;
  association_name: string | null;
  area_km2: number;
  population: number;
  postcode: string;
  longitude: number;
  latitude: number;
  search_name: string;
}

export type TenantKind = 'municipality' | 'district_office' | 'state_authority' | 'ministry';

export interface TenantsTable {
  id: Generated<string>;
  slug: string;
  name: string;
  kind: TenantKind;
  municipality_ags: string | null;
  district_key: string | null;
  connected_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface SessionsTable {
  id: string;
  data: Json<Record<string, unknown>>;
  expires_at: Timestamp;
}

export interface RateLimitBucketsTable {
  key: string;
  hits: number;
  resets_at: Timestamp;
}

export type JobStatus = 'pending' | 'running' | 'done' | 'failed';

export interface JobsTable {
  id: Generated<string>;
  type: string;
  payload: Json<unknown>;
  tenant_id: string | null;
  status: Generated<JobStatus>;
  attempts: Generated<number>;
  max_attempts: Generated<number>;
  run_at: Timestamp;
  locked_until: NullableTimestamp;
  last_error: string | null;
  idempotency_key: string | null;
  created_at: Timestamp;
  finished_at: NullableTimestamp;
}

export interface OutboundMailsTable {
  id: Generated<string>;
  tenant_id: string | null;
  recipient_enc: string;
  subject_enc: string;
  text_enc: string;
  raw_enc: string | null;
  transport: 'capture' | 'smtp' | null;
  message_id: string | null;
  status: Generated<'queued' | 'sent' | 'captured'>;
  created_at: Timestamp;
  sent_at: NullableTimestamp;
}

export interface AuditEventsTable {
  id: Generated<string>;
  tenant_id: string | null;
  actor_type: 'anonymous' | 'citizen' | 'staff' | 'system';
  actor_id: string | null;
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  details: Json<Record<string, unknown>>;
  request_id: string | null;
  created_at: Timestamp;
}

export interface AccessibilityFeedbackTable {
  id: Generated<string>;
  reference: string;
  page_url: string | null;
  category: 'barrier' | 'content' | 'other';
  message_enc: string;
  contact_name_enc: string | null;
  contact_email_enc: string | null;
  locale: string;
  status: Generated<'new' | 'answered' | 'closed'>;
  created_at: Timestamp;
}

export interface StaffAccountsTable {
  id: Generated<string>;
  email: string;
  display_name: string;
  password_hash: string;
  is_platform_operator: Generated<boolean>;
  failed_logins: Generated<number>;
  locked_until: NullableTimestamp;
  created_at: Timestamp;
  totp_secret_enc: ColumnType<string | null, string | null | undefined, string | null>;
  totp_confirmed_at: NullableTimestamp;
  totp_last_step: ColumnType<number | null, number | null | undefined, number | null>;
  password_changed_at: NullableTimestamp;
}

export interface StaffRecoveryCodesTable {
  staff_account_id: string;
  code_hash: string;
  used_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface TenantStaffNetworksTable {
  tenant_id: string;
  cidr: string;
  created_at: Timestamp;
}

export interface StaffInvitationsTable {
  token_hash: string;
  staff_account_id: string;
  tenant_id: string;
  expires_at: Date;
  used_at: NullableTimestamp;
  created_at: Timestamp;
}

export type StaffRole = 'caseworker' | 'tenant_admin' | 'editor' | 'ministry';

export interface StaffMembershipsTable {
  tenant_id: string;
  staff_account_id: string;
  role: StaffRole;
}

export interface TopicsTable { id: number; name: string; slug: string }

export interface LifeEventsTable { id: number; name: string; slug: string; topic_id: number; audience: 'citizen' | 'business' }

export interface OzgServicesTable { id: number; name: string; life_event_id: number | null; topic_id: number }

export interface ServicesTable {
  leika_key: string;
  name: string;
  leika_type: string | null;
  legal_basis: string | null;
  ozg_service_id: number | null;
  description: string | null;
  requirements: string | null;
  documents: string | null;
  fees: string | null;
  deadlines: string | null;
  processing_time: string | null;
  forms: string | null;
  search_name: string;
  updated_at: Timestamp;
}

export interface ServiceSearchTermsTable { leika_key: string; term: string; weight: number }

export interface SearchVocabularyTable { term: string }

export type ResponsibilityLevel = 'municipality' | 'district' | 'district_or_major_town' | 'state';

export interface ResponsibilityRulesTable { leika_prefix: string; level: ResponsibilityLevel; authority_name: string | null; note: string | null }

export type AreaKind = 'municipality' | 'association' | 'district' | 'region';

export interface ResponsibilityOverridesTable { leika_key: string; area_kind: AreaKind; area_code: string; authority_key: string }

export interface AuthoritiesTable {
  key: string;
  name: string;
  street: string | null;
  postcode: string | null;
  city: string | null;
  phone: string | null;
  email: string | null;
  website: string | null;
  opening_hours: string | null;
  tenant_id: string | null;
}

export interface LocalServiceTextsTable {
  tenant_id: string;
  leika_key: string;
  fees: string | null;
  contact: string | null;
  local_requirements: string | null;
  version: number;
  updated_by: string | null;
  updated_at: Timestamp;
}

export interface LocalServiceTextVersionsTable {
  tenant_id: string;
  leika_key: string;
  version: number;
  fees: string | null;
  contact: string | null;
  local_requirements: string | null;
  changed_by: string | null;
  changed_at: Timestamp;
}

export interface OnlineProceduresTable {
  id: Generated<string>;
  tenant_id: string;
  leika_key: string;
  name: string;
  kind: 'internal' | 'external';
  url: string | null;
  maturity_model: '1' | '2';
  maturity_level: number;
  active: Generated<boolean>;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface DigitalesAmtAwardsTable {
  tenant_id: string;
  qualified_at: Timestamp;
  procedure_count: number;
  confirmed_at: NullableTimestamp;
  confirmed_by: string | null;
}

export interface CacheVersionsTable { name: string; version: ColumnType<string, string | number | undefined, string | number> }

export type TrustLevel = 'niedrig' | 'substantiell' | 'hoch';

export interface CitizenAccountsTable {
  id: Generated<string>;
  bpk2_hash: string;
  given_name_enc: string | null;
  family_name_enc: string | null;
  address_enc: string | null;
  birth_date_enc: string | null;
  email_enc: string | null;
  last_trust_level: TrustLevel;
  created_at: Timestamp;
  last_login_at: Timestamp;
  contact_email_enc: string | null;
  contact_phone_enc: string | null;
  notify_mailbox_email: Generated<boolean>;
  deleted_at: Timestamp | null;
}

export interface CitizenContactVerificationsTable {
  account_id: string;
  kind: 'email' | 'phone';
  value_enc: string;
  secret_hash: string;
  attempts: Generated<number>;
  expires_at: Timestamp;
  created_at: Timestamp;
}

export interface CapturedTextMessagesTable {
  id: Generated<string>;
  to_enc: string;
  body_enc: string;
  created_at: Timestamp;
}

export type OrganisationRole = 'administrator' | 'member';

export interface OrganisationsTable {
  id: Generated<string>;
  external_id_hash: string;
  name_enc: string;
  address_enc: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface OrganisationMembersTable {
  organisation_id: string;
  account_id: string;
  role: OrganisationRole;
  created_at: Timestamp;
}

export interface OrganisationInvitationsTable {
  id: Generated<string>;
  organisation_id: string;
  email_enc: string;
  role: OrganisationRole;
  token_hash: string;
  invited_by: string | null;
  expires_at: Timestamp;
  accepted_at: Timestamp | null;
  created_at: Timestamp;
}

export interface TenantStaffOidcTable {
  tenant_id: string;
  issuer: string;
  client_id: string;
  client_secret_enc: string;
  email_claim: Generated<string>;
  mfa_amr_values: Generated<string>;
  enabled: Generated<boolean>;
  updated_at: Timestamp;
}

export interface SamlRequestsTable {
  id: string;
  acs_url: string;
  requested_level: TrustLevel;
  return_path: string;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface SamlLogoutRequestsTable {
  id: string;
  slo_url: string;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface SamlUsedAssertionsTable {
  id: string;
  expires_at: Timestamp;
}

export interface SealKeysTable {
  id: Generated<string>;
  purpose: 'demo_ca' | 'seal';
  tenant_id: string | null;
  certificate_pem: string;
  private_key_enc: string;
  created_at: Timestamp;
}

export interface TenantDataKeysTable {
  tenant_id: string;
  version: number;
  wrapped_key: string;
  created_at: Timestamp;
}

export interface UploadsTable {
  id: Generated<string>;
  tenant_id: string;
  owner_kind: string;
  owner_id: string;
  file_name_enc: Uint8Array;
  media_type: string;
  size_bytes: number;
  sha256: string;
  content_enc: Uint8Array;
  key_version: number;
  created_at: Timestamp;
}

export interface FormsTable {
  id: Generated<string>;
  owner_tenant_id: string;
  slug: string;
  title: string;
  shared_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface FormVersionsTable {
  form_id: string;
  version: number;
  definition: Json<unknown>;
  source: string | null;
  created_by: string | null;
  created_at: Timestamp;
}

export type PaymentTiming = 'none' | 'before_submission' | 'with_decision';

export interface ApplicationProceduresTable {
  online_procedure_id: string;
  tenant_id: string;
  form_id: string;
  form_version: number;
  follow_latest: Generated<boolean>;
  min_trust_level: Generated<TrustLevel>;
  fee_schedule: Json<unknown> | null;
  payment_timing: Generated<PaymentTiming>;
  processing_days: number | null;
  contact: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  workflow: Generated<'standard' | 'notification'>;
}

export type PaymentProviderName = 'pmpayment' | 'epaybl';
export type PaymentStatus = 'open' | 'pending' | 'paid' | 'failed' | 'cancelled' | 'refunded' | 'partially_refunded';

export interface PaymentsTable {
  id: Generated<string>;
  tenant_id: string;
  payable_kind: string;
  payable_id: string;
  amount_cents: number;
  currency: Generated<'EUR'>;
  kassenzeichen: string;
  purpose: string;
  provider: PaymentProviderName;
  provider_txid: string | null;
  redirect_url: string | null;
  return_path: string;
  status: Generated<PaymentStatus>;
  refunded_cents: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
  paid_at: NullableTimestamp;
  checked_at: NullableTimestamp;
}

export interface PaymentStatusChangesTable {
  id: Generated<number>;
  tenant_id: string;
  payment_id: string;
  from_status: PaymentStatus | null;
  to_status: PaymentStatus;
  source: 'start' | 'notification' | 'return' | 'reconciliation' | 'staff';
  changed_at: Timestamp;
}

export interface PaymentRefundsTable {
  id: Generated<string>;
  tenant_id: string;
  payment_id: string;
  amount_cents: number;
  reason_enc: string;
  staff_id: string | null;
  created_at: Timestamp;
}

export type SimulatorStatus = 'open' | 'pending' | 'paid' | 'failed' | 'cancelled';

export interface PaymentSimulatorTransactionsTable {
  id: string;
  protocol: PaymentProviderName;
  merchant: string;
  reference: string;
  amount_cents: number;
  currency: Generated<string>;
  description: string;
  procedure: string | null;
  notify_url: string | null;
  success_url: string;
  cancel_url: string;
  error_url: string;
  status: Generated<SimulatorStatus>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type ApplicationStatus = 'draft' | 'submitted' | 'in_progress' | 'waiting' | 'decided' | 'closed' | 'withdrawn' | 'rejected';

export interface ApplicationsTable {
  id: Generated<string>;
  reference: string | null;
  procedure_id: string;
  tenant_id: string;
  form_id: string;
  form_version: number;
  account_id: string | null;
  organisation_id: string | null;
  ags: string;
  status: Generated<ApplicationStatus>;
  answers_enc: string;
  current_step: string | null;
  prefill_consent: Generated<boolean>;
  trust_level: TrustLevel;
  start_key: string | null;
  draft_expires_at: NullableTimestamp;
  expiry_notice_sent_at: NullableTimestamp;
  submitted_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ApplicationEventsTable {
  id: Generated<string>;
  application_id: string;
  tenant_id: string;
  status: ApplicationStatus;
  actor_type: 'citizen' | 'staff' | 'system';
  actor_id: string | null;
  trust_level: TrustLevel | null;
  created_at: Timestamp;
}

export interface ApplicationReceiptsTable {
  application_id: string;
  pdf_enc: string;
  created_at: Timestamp;
}

export type CaseStatus = 'submitted' | 'in_progress' | 'waiting' | 'decided' | 'closed' | 'withdrawn' | 'rejected';

export interface CasesTable {
  id: string;
  tenant_id: string;
  procedure_id: string;
  reference: string;
  status: Generated<CaseStatus>;
  assignee_id: string | null;
  answered_at: NullableTimestamp;
  submitted_at: Timestamp;
  due_at: NullableTimestamp;
  reminder_sent_at: NullableTimestamp;
  account_id: string | null;
  organisation_id: string | null;
  applicant_name_enc: string | null;
  applicant_terms: ColumnType<string[], string[] | undefined, string[]>;
  closed_at: NullableTimestamp;
  updated_at: Timestamp;
  /** The procedure's workflow when the case was opened (migration 0016); the case keeps it. */
  workflow: Generated<'standard' | 'notification'>;
}

export interface CaseNotesTable {
  id: Generated<string>;
  tenant_id: string;
  case_id: string;
  author_id: string | null;
  body_enc: Uint8Array;
  key_version: number;
  created_at: Timestamp;
}

export interface InformationRequestsTable {
  id: Generated<string>;
  tenant_id: string;
  case_id: string;
  requested_by: string | null;
  message_id: string;
  due_at: Timestamp;
  status: Generated<'open' | 'answered' | 'cancelled'>;
  answer_message_id: string | null;
  answered_at: NullableTimestamp;
  reminder_sent_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface DecisionTemplatesTable {
  tenant_id: string;
  procedure_id: string;
  /** The outcome the template is for, or 'general' for any outcome without its own (migration 0015). */
  outcome: DecisionTemplateOutcome;
  title: string;
  body: string;
  updated_by: string | null;
  updated_at: Timestamp;
}

export type DecisionOutcome = 'granted' | 'refused' | 'partially_granted' | 'other';
export type DecisionTemplateOutcome = DecisionOutcome | 'general';

export interface DecisionsTable {
  id: Generated<string>;
  tenant_id: string;
  case_id: string;
  outcome: DecisionOutcome;
  title: string;
  body_enc: Uint8Array;
  key_version: number;
  fee_cents: Generated<number>;
  payment_id: string | null;
  status: Generated<'draft' | 'issued'>;
  upload_id: string | null;
  pdf_sha256: string | null;
  message_id: string | null;
  drafted_by: string | null;
  issued_by: string | null;
  issued_at: NullableTimestamp;
  notified_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface MailboxThreadsTable {
  id: Generated<string>;
  tenant_id: string;
  case_id: string | null;
  account_id: string | null;
  organisation_id: string | null;
  subject_enc: Uint8Array;
  key_version: number;
  last_message_at: Timestamp;
  created_at: Timestamp;
}

export type MailboxDirection = 'to_applicant' | 'to_authority';
export type MailboxMessageKind = 'message' | 'information_request' | 'reply' | 'decision' | 'notice';

export interface MailboxMessagesTable {
  id: Generated<string>;
  tenant_id: string;
  thread_id: string;
  account_id: string | null;
  organisation_id: string | null;
  direction: MailboxDirection;
  kind: Generated<MailboxMessageKind>;
  sender_staff_id: string | null;
  sender_account_id: string | null;
  trust_level: TrustLevel | null;
  body_enc: Uint8Array;
  key_version: number;
  read_at: NullableTimestamp;
  retrieved_at: NullableTimestamp;
  created_at: Timestamp;
}

export type CaseTrailActorType = 'citizen' | 'staff' | 'system' | 'integration';

export interface CaseTrailTable {
  tenant_id: string;
  seq: ColumnType<string, string | number, never>;
  case_id: string;
  action: string;
  actor_type: CaseTrailActorType;
  actor_id: string | null;
  trust_level: TrustLevel | null;
  details: Json<Record<string, string | number | boolean | null>>;
  created_at: Timestamp;
  prev_hash: string;
  hash: string;
}

export interface CaseTrailHeadsTable {
  tenant_id: string;
  seq: ColumnType<string, string | number, string | number>;
  hash: string;
}

export interface CaseDeliveryTargetsTable {
  id: Generated<string>;
  tenant_id: string;
  procedure_id: string | null;
  kind: 'webhook' | 'fit_connect';
  name: string;
  url: string;
  secret_enc: string | null;
  destination_id: string | null;
  encryption_jwk: Json<Record<string, unknown>> | null;
  active: Generated<boolean>;
  created_at: Timestamp;
}

export interface CaseDeliveriesTable {
  id: Generated<string>;
  tenant_id: string;
  case_id: string;
  target_id: string;
  status: Generated<'pending' | 'delivered' | 'failed'>;
  attempts: Generated<number>;
  last_error: string | null;
  remote_id: string | null;
  delivered_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface IntegrationClientsTable {
  id: Generated<string>;
  tenant_id: string;
  name: string;
  token_hash: string;
  created_by: string | null;
  revoked_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface CitizenApiTokensTable {
  id: Generated<string>;
  account_id: string;
  organisation_id: string | null;
  name: string;
  token_hash: string;
  trust_level: TrustLevel;
  expires_at: Timestamp;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface DB {
  districts: DistrictsTable;
  municipalities: MunicipalitiesTable;
  tenants: TenantsTable;
  sessions: SessionsTable;
  rate_limit_buckets: RateLimitBucketsTable;
  jobs: JobsTable;
  outbound_mails: OutboundMailsTable;
  audit_events: AuditEventsTable;
  accessibility_feedback: AccessibilityFeedbackTable;
  staff_accounts: StaffAccountsTable;
  staff_memberships: StaffMembershipsTable;
  staff_recovery_codes: StaffRecoveryCodesTable;
  tenant_staff_networks: TenantStaffNetworksTable;
  staff_invitations: StaffInvitationsTable;
  topics: TopicsTable;
  life_events: LifeEventsTable;
  ozg_services: OzgServicesTable;
  services: ServicesTable;
  service_search_terms: ServiceSearchTermsTable;
  search_vocabulary: SearchVocabularyTable;
  responsibility_rules: ResponsibilityRulesTable;
  responsibility_overrides: ResponsibilityOverridesTable;
  authorities: AuthoritiesTable;
  local_service_texts: LocalServiceTextsTable;
  local_service_text_versions: LocalServiceTextVersionsTable;
  online_procedures: OnlineProceduresTable;
  digitales_amt_awards: DigitalesAmtAwardsTable;
  cache_versions: CacheVersionsTable;
  citizen_accounts: CitizenAccountsTable;
  saml_requests: SamlRequestsTable;
  saml_used_assertions: SamlUsedAssertionsTable;
  saml_logout_requests: SamlLogoutRequestsTable;
  seal_keys: SealKeysTable;
  tenant_data_keys: TenantDataKeysTable;
  uploads: UploadsTable;
  forms: FormsTable;
  form_versions: FormVersionsTable;
  application_procedures: ApplicationProceduresTable;
  applications: ApplicationsTable;
  application_events: ApplicationEventsTable;
  application_receipts: ApplicationReceiptsTable;
  payments: PaymentsTable;
  payment_status_changes: PaymentStatusChangesTable;
  payment_refunds: PaymentRefundsTable;
  payment_simulator_transactions: PaymentSimulatorTransactionsTable;
  citizen_contact_verifications: CitizenContactVerificationsTable;
  captured_text_messages: CapturedTextMessagesTable;
  organisations: OrganisationsTable;
  organisation_members: OrganisationMembersTable;
  organisation_invitations: OrganisationInvitationsTable;
  tenant_staff_oidc: TenantStaffOidcTable;
  cases: CasesTable;
  case_notes: CaseNotesTable;
  information_requests: InformationRequestsTable;
  decision_templates: DecisionTemplatesTable;
  decisions: DecisionsTable;
  mailbox_threads: MailboxThreadsTable;
  mailbox_messages: MailboxMessagesTable;
  case_trail: CaseTrailTable;
  case_trail_heads: CaseTrailHeadsTable;
  case_delivery_targets: CaseDeliveryTargetsTable;
  case_deliveries: CaseDeliveriesTable;
  integration_clients: IntegrationClientsTable;
  citizen_api_tokens: CitizenApiTokensTable;
}
