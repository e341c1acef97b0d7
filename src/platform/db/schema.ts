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
}

export type StaffRole = 'caseworker' | 'tenant_admin' | 'editor' | 'ministry';

export interface StaffMembershipsTable {
  tenant_id: string;
  staff_account_id: string;
  role: StaffRole;
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
}
