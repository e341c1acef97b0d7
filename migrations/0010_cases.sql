-- Case processing: every submitted application becomes a case of the responsible tenant; requests
-- for information, decisions (Bescheide), the mailbox (Postfach), delivery to specialist procedures
-- (Fachverfahren) and a hash-chained trail of every case action.

-- The case of a submitted application (same id). The workflow state lives here; the application's
-- status is kept equal in the same transaction for the applicant's history.
CREATE TABLE cases (
  id                  uuid PRIMARY KEY REFERENCES applications (id) ON DELETE CASCADE,
  tenant_id           uuid NOT NULL REFERENCES tenants (id),
  procedure_id        uuid NOT NULL,
  reference           text NOT NULL,
  status              text NOT NULL DEFAULT 'submitted'
                      CHECK (status IN ('submitted', 'in_progress', 'waiting', 'decided', 'closed', 'withdrawn', 'rejected')),
  assignee_id         uuid REFERENCES staff_accounts (id) ON DELETE SET NULL,
  -- The applicant answered a request for information and no caseworker has looked since.
  answered_at         timestamptz,
  submitted_at        timestamptz NOT NULL,
  -- The statutory processing time runs out (e.g. deemed building permit after three months).
  due_at              timestamptz,
  reminder_sent_at    timestamptz,
  -- Applicant (person or organisation) for the mailbox; the name for the inbox is encrypted and
  -- found through a blind index: keyed hashes of its normalised words.
  account_id          uuid REFERENCES citizen_accounts (id) ON DELETE SET NULL,
  organisation_id     uuid REFERENCES organisations (id) ON DELETE SET NULL,
  applicant_name_enc  text,
  applicant_terms     text[] NOT NULL DEFAULT '{}',
  closed_at           timestamptz,
  updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX cases_tenant_reference ON cases (tenant_id, reference);
CREATE INDEX cases_tenant_submitted ON cases (tenant_id, submitted_at DESC, id);
CREATE INDEX cases_tenant_status ON cases (tenant_id, status, submitted_at DESC, id);
CREATE INDEX cases_tenant_assignee ON cases (tenant_id, assignee_id, submitted_at DESC, id);
CREATE INDEX cases_tenant_procedure ON cases (tenant_id, procedure_id, submitted_at DESC, id);
CREATE INDEX cases_tenant_due ON cases (tenant_id, due_at, id) WHERE status IN ('submitted', 'in_progress', 'waiting');
CREATE INDEX cases_tenant_answered ON cases (tenant_id, answered_at DESC, id) WHERE answered_at IS NOT NULL;
CREATE INDEX cases_applicant_terms ON cases USING gin (applicant_terms);
CREATE INDEX cases_retention ON cases (closed_at) WHERE closed_at IS NOT NULL;

-- Internal notes: never shown to the applicant. Encrypted with the tenant's data key.
CREATE TABLE case_notes (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  case_id     uuid NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  author_id   uuid REFERENCES staff_accounts (id) ON DELETE SET NULL,
  body_enc    bytea NOT NULL,
  key_version integer NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_notes_case ON case_notes (tenant_id, case_id, created_at);

-- Requests for information (Nachforderung): what is asked lives in the mailbox message.
CREATE TABLE information_requests (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id          uuid NOT NULL REFERENCES tenants (id),
  case_id            uuid NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  requested_by       uuid REFERENCES staff_accounts (id) ON DELETE SET NULL,
  message_id         uuid NOT NULL,
  due_at             timestamptz NOT NULL,
  status             text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'cancelled')),
  answer_message_id  uuid,
  answered_at        timestamptz,
  -- The case status to return to is always in progress; the reminder before due_at is sent once.
  reminder_sent_at   timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX information_requests_case ON information_requests (tenant_id, case_id, created_at);
CREATE INDEX information_requests_open_due ON information_requests (due_at) WHERE status = 'open';

-- A tenant's decision template per procedure (the platform has a default); placeholders like
-- {{reference}} are filled from the case.
CREATE TABLE decision_templates (
  tenant_id     uuid NOT NULL REFERENCES tenants (id),
  procedure_id  uuid NOT NULL,
  title         text NOT NULL,
  body          text NOT NULL,
  updated_by    uuid REFERENCES staff_accounts (id) ON DELETE SET NULL,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, procedure_id)
);

-- The decision (Bescheid) of a case: drafted, then issued once as a sealed PDF delivered to the
-- mailbox. The time the applicant first retrieves it is the notification time (Bekanntgabe).
CREATE TABLE decisions (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id      uuid NOT NULL REFERENCES tenants (id),
  case_id        uuid NOT NULL UNIQUE REFERENCES cases (id) ON DELETE CASCADE,
  outcome        text NOT NULL CHECK (outcome IN ('granted', 'refused', 'partially_granted')),
  title          text NOT NULL,
  -- The text as edited by the caseworker, encrypted with the tenant's data key.
  body_enc       bytea NOT NULL,
  key_version    integer NOT NULL,
  fee_cents      integer NOT NULL DEFAULT 0 CHECK (fee_cents >= 0),
  payment_id     uuid,
  status         text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'issued')),
  -- The sealed PDF (an upload of owner kind 'decision'); its SHA-256 for the record.
  upload_id      uuid,
  pdf_sha256     text,
  message_id     uuid,
  drafted_by     uuid REFERENCES staff_accounts (id) ON DELETE SET NULL,
  issued_by      uuid REFERENCES staff_accounts (id) ON DELETE SET NULL,
  issued_at      timestamptz,
  notified_at    timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'issued') = (issued_at IS NOT NULL AND upload_id IS NOT NULL))
);

-- Mailbox (Postfach): threads per case (at most one) and general ones, between one tenant and one
-- applicant (a person, or an organisation for business accounts).
CREATE TABLE mailbox_threads (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id        uuid NOT NULL REFERENCES tenants (id),
  case_id          uuid UNIQUE REFERENCES cases (id) ON DELETE CASCADE,
  -- NULL after the applicant deleted their account: the authority keeps its case file.
  account_id       uuid REFERENCES citizen_accounts (id) ON DELETE SET NULL,
  organisation_id  uuid REFERENCES organisations (id) ON DELETE SET NULL,
  subject_enc      bytea NOT NULL,
  key_version      integer NOT NULL,
  last_message_at  timestamptz NOT NULL DEFAULT now(),
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mailbox_threads_account ON mailbox_threads (account_id, last_message_at DESC, id) WHERE organisation_id IS NULL;
CREATE INDEX mailbox_threads_organisation ON mailbox_threads (organisation_id, last_message_at DESC, id) WHERE organisation_id IS NOT NULL;
CREATE INDEX mailbox_threads_tenant ON mailbox_threads (tenant_id, last_message_at DESC, id);

-- Messages both ways. Owner columns are copied from the thread so that unread counts are one
-- index lookup. Attachments are uploads of owner kind 'mailbox-message'.
CREATE TABLE mailbox_messages (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id          uuid NOT NULL REFERENCES tenants (id),
  thread_id          uuid NOT NULL REFERENCES mailbox_threads (id) ON DELETE CASCADE,
  account_id         uuid REFERENCES citizen_accounts (id) ON DELETE SET NULL,
  organisation_id    uuid REFERENCES organisations (id) ON DELETE SET NULL,
  -- to_applicant: from the authority; to_authority: from the applicant.
  direction          text NOT NULL CHECK (direction IN ('to_applicant', 'to_authority')),
  kind               text NOT NULL DEFAULT 'message'
                     CHECK (kind IN ('message', 'information_request', 'reply', 'decision', 'notice')),
  sender_staff_id    uuid REFERENCES staff_accounts (id) ON DELETE SET NULL,
  sender_account_id  uuid REFERENCES citizen_accounts (id) ON DELETE SET NULL,
  -- The level of authentication the applicant had when sending.
  trust_level        text CHECK (trust_level IN ('niedrig', 'substantiell', 'hoch')),
  body_enc           bytea NOT NULL,
  key_version        integer NOT NULL,
  -- Read receipt (opened by the recipient) and retrieval receipt (an attachment first downloaded).
  read_at            timestamptz,
  retrieved_at       timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mailbox_messages_thread ON mailbox_messages (thread_id, created_at, id);
CREATE INDEX mailbox_messages_unread_account ON mailbox_messages (account_id) WHERE direction = 'to_applicant' AND read_at IS NULL AND organisation_id IS NULL;
CREATE INDEX mailbox_messages_unread_organisation ON mailbox_messages (organisation_id) WHERE direction = 'to_applicant' AND read_at IS NULL AND organisation_id IS NOT NULL;
CREATE INDEX mailbox_messages_unread_tenant ON mailbox_messages (tenant_id, thread_id) WHERE direction = 'to_authority' AND read_at IS NULL;
CREATE INDEX mailbox_messages_key_version ON mailbox_messages (tenant_id, key_version);

-- The trail of every case action: who, when, what, with which level of authentication. Append-only
-- (a trigger refuses UPDATE and DELETE) and hash-chained per tenant: each entry's hash covers its
-- content and the previous entry's hash, so a changed or removed entry breaks the chain. No
-- personal data (ids and codes only), so it outlives the cases it describes.
CREATE TABLE case_trail (
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  seq          bigint NOT NULL CHECK (seq >= 1),
  case_id      uuid NOT NULL,
  action       text NOT NULL,
  actor_type   text NOT NULL CHECK (actor_type IN ('citizen', 'staff', 'system', 'integration')),
  actor_id     text,
  trust_level  text CHECK (trust_level IN ('niedrig', 'substantiell', 'hoch')),
  details      jsonb NOT NULL DEFAULT '{}',
  created_at   timestamptz NOT NULL,
  prev_hash    text NOT NULL,
  hash         text NOT NULL,
  PRIMARY KEY (tenant_id, seq)
);
CREATE INDEX case_trail_case ON case_trail (tenant_id, case_id, seq);

-- The newest entry of each tenant's chain; locking this row serialises appends per tenant.
CREATE TABLE case_trail_heads (
  tenant_id  uuid PRIMARY KEY REFERENCES tenants (id),
  seq        bigint NOT NULL,
  hash       text NOT NULL
);

CREATE FUNCTION case_trail_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'case_trail is append-only';
END
$$;
CREATE TRIGGER case_trail_append_only BEFORE UPDATE OR DELETE ON case_trail
  FOR EACH ROW EXECUTE FUNCTION case_trail_refuse_change();

-- Delivery of cases to a tenant's specialist procedure (Fachverfahren): by HMAC-signed webhook, or
-- as a FIT-Connect-style encrypted submission. Secrets are encrypted with the field cipher.
CREATE TABLE case_delivery_targets (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id          uuid NOT NULL REFERENCES tenants (id),
  -- Limited to one procedure, or every procedure of the tenant when NULL.
  procedure_id       uuid,
  kind               text NOT NULL CHECK (kind IN ('webhook', 'fit_connect')),
  name               text NOT NULL,
  url                text NOT NULL,
  -- webhook: the HMAC secret; fit_connect: the destination id.
  secret_enc         text,
  destination_id     text,
  -- fit_connect: the destination's public encryption key (JWK, RSA-OAEP-256).
  encryption_jwk     jsonb,
  active             boolean NOT NULL DEFAULT true,
  created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_delivery_targets_tenant ON case_delivery_targets (tenant_id);

CREATE TABLE case_deliveries (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id     uuid NOT NULL REFERENCES tenants (id),
  case_id       uuid NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  target_id     uuid NOT NULL REFERENCES case_delivery_targets (id) ON DELETE CASCADE,
  status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts      integer NOT NULL DEFAULT 0,
  last_error    text,
  -- The receiver's id for it (FIT-Connect submission id, or what the webhook answered).
  remote_id     text,
  delivered_at  timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (case_id, target_id)
);
CREATE INDEX case_deliveries_tenant ON case_deliveries (tenant_id, created_at DESC);

-- Credentials of specialist procedures that report status changes and decisions back through the
-- API: a bearer token stored as SHA-256, one tenant each.
CREATE TABLE integration_clients (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  name         text NOT NULL,
  token_hash   text NOT NULL UNIQUE,
  created_by   uuid REFERENCES staff_accounts (id) ON DELETE SET NULL,
  revoked_at   timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX integration_clients_tenant ON integration_clients (tenant_id);
