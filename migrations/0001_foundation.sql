-- Foundation: administrative geography, tenants, sessions, rate limits, jobs, mail, audit, feedback, staff.
-- Plain PostgreSQL; runs unchanged on PGlite and on a PostgreSQL server.

-- Reference data (not tenant-owned): Bavarian districts and municipalities from the Destatis extract.
CREATE TABLE districts (
  key              char(5) PRIMARY KEY,
  name             text NOT NULL,
  kind             text NOT NULL CHECK (kind IN ('landkreis', 'kreisfreie_stadt')),
  regierungsbezirk text NOT NULL,
  search_name      text NOT NULL
);

CREATE TABLE municipalities (
  ags              char(8) PRIMARY KEY,
  ars              char(12) NOT NULL UNIQUE,
  official_name    text NOT NULL,
  name             text NOT NULL,
  kind             text NOT NULL CHECK (kind IN ('gemeinde', 'markt', 'stadt', 'grosse_kreisstadt', 'kreisfreie_stadt')),
  district_key     char(5) NOT NULL REFERENCES districts (key),
  regierungsbezirk text NOT NULL,
  association_name text,
  area_km2         double precision NOT NULL,
  population       integer NOT NULL,
  postcode         char(5) NOT NULL,
  longitude        double precision NOT NULL,
  latitude         double precision NOT NULL,
  search_name      text NOT NULL
);
CREATE INDEX municipalities_district_idx ON municipalities (district_key);
CREATE INDEX municipalities_postcode_idx ON municipalities (postcode);

-- Tenants: authorities the platform is operated for.
CREATE TABLE tenants (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug             text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  name             text NOT NULL,
  kind             text NOT NULL CHECK (kind IN ('municipality', 'district_office', 'state_authority', 'ministry')),
  municipality_ags char(8) UNIQUE REFERENCES municipalities (ags),
  district_key     char(5) REFERENCES districts (key),
  connected_at     timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  CHECK (kind <> 'municipality' OR municipality_ags IS NOT NULL),
  CHECK (kind <> 'district_office' OR district_key IS NOT NULL)
);
CREATE UNIQUE INDEX tenants_district_office_idx ON tenants (district_key) WHERE kind = 'district_office';

-- Server-side sessions; the cookie carries only the signed id.
CREATE TABLE sessions (
  id         text PRIMARY KEY,
  data       jsonb NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

-- Fixed-window rate limit counters shared by all app instances.
CREATE TABLE rate_limit_buckets (
  key        text PRIMARY KEY,
  hits       integer NOT NULL,
  resets_at  timestamptz NOT NULL
);

-- Durable job queue (transactional outbox).
CREATE TABLE jobs (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  type            text NOT NULL,
  payload         jsonb NOT NULL,
  tenant_id       uuid REFERENCES tenants (id),
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
  attempts        integer NOT NULL DEFAULT 0,
  max_attempts    integer NOT NULL DEFAULT 8,
  run_at          timestamptz NOT NULL DEFAULT now(),
  locked_until    timestamptz,
  last_error      text,
  idempotency_key text UNIQUE,
  created_at      timestamptz NOT NULL DEFAULT now(),
  finished_at     timestamptz
);
CREATE INDEX jobs_due_idx ON jobs (run_at) WHERE status IN ('pending', 'running');

-- Outgoing mail. Recipient, subject and message are personal data: encrypted at rest.
CREATE TABLE outbound_mails (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id     uuid REFERENCES tenants (id),
  recipient_enc text NOT NULL,
  subject_enc   text NOT NULL,
  text_enc      text NOT NULL,
  raw_enc       text,
  transport     text CHECK (transport IN ('capture', 'smtp')),
  message_id    text,
  status        text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'captured')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  sent_at       timestamptz
);
CREATE INDEX outbound_mails_created_idx ON outbound_mails (created_at DESC);

-- Append-only audit log. Details never hold personal data.
CREATE TABLE audit_events (
  id           bigserial PRIMARY KEY,
  tenant_id    uuid REFERENCES tenants (id),
  actor_type   text NOT NULL CHECK (actor_type IN ('anonymous', 'citizen', 'staff', 'system')),
  actor_id     text,
  action       text NOT NULL,
  subject_type text,
  subject_id   text,
  details      jsonb NOT NULL DEFAULT '{}'::jsonb,
  request_id   text,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_events_tenant_idx ON audit_events (tenant_id, created_at DESC);

-- Feedback on accessibility (BITV 2.0 § 7 feedback channel). Free text and contact are encrypted.
CREATE TABLE accessibility_feedback (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  reference         text NOT NULL UNIQUE,
  page_url          text,
  category          text NOT NULL CHECK (category IN ('barrier', 'content', 'other')),
  message_enc       text NOT NULL,
  contact_name_enc  text,
  contact_email_enc text,
  locale            text NOT NULL,
  status            text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'answered', 'closed')),
  created_at        timestamptz NOT NULL DEFAULT now()
);

-- Staff accounts of the authorities and of the platform operator.
CREATE TABLE staff_accounts (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email                text NOT NULL UNIQUE CHECK (email = lower(email)),
  display_name         text NOT NULL,
  password_hash        text NOT NULL,
  is_platform_operator boolean NOT NULL DEFAULT false,
  failed_logins        integer NOT NULL DEFAULT 0,
  locked_until         timestamptz,
  created_at           timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE staff_memberships (
  tenant_id        uuid NOT NULL REFERENCES tenants (id),
  staff_account_id uuid NOT NULL REFERENCES staff_accounts (id) ON DELETE CASCADE,
  role             text NOT NULL CHECK (role IN ('caseworker', 'tenant_admin', 'editor', 'ministry')),
  PRIMARY KEY (tenant_id, staff_account_id, role)
);
