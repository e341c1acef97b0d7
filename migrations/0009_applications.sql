-- Online applications: versioned forms (data, not code), the procedures that offer them, and the
-- applications citizens and businesses fill in, from draft to submission and beyond.

-- A form owned by one tenant; versions are immutable once stored.
CREATE TABLE forms (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owner_tenant_id  uuid NOT NULL REFERENCES tenants (id),
  slug             text NOT NULL CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  title            text NOT NULL,
  -- Published for reuse by other authorities ("Einer für Alle") since this time.
  shared_at        timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (owner_tenant_id, slug)
);

CREATE TABLE form_versions (
  form_id     uuid NOT NULL REFERENCES forms (id),
  version     integer NOT NULL CHECK (version >= 1),
  definition  jsonb NOT NULL,
  -- Where it came from, e.g. "FIM S00000094 V1.0 (XDatenfelder 2.0)".
  source      text,
  created_by  uuid REFERENCES staff_accounts (id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (form_id, version)
);

-- An internal online procedure (catalogue) filled in on this platform: which form at which
-- version, the level of trust it needs, its fee and payment timing, its statutory processing time.
-- A tenant that adopts another tenant's shared form has its own row here (own fees, contact).
CREATE TABLE application_procedures (
  online_procedure_id  uuid PRIMARY KEY REFERENCES online_procedures (id),
  tenant_id            uuid NOT NULL REFERENCES tenants (id),
  form_id              uuid NOT NULL,
  form_version         integer NOT NULL,
  -- Opted in to newer versions of the form as they are stored (else pinned at form_version).
  follow_latest        boolean NOT NULL DEFAULT false,
  min_trust_level      text NOT NULL DEFAULT 'niedrig' CHECK (min_trust_level IN ('niedrig', 'substantiell', 'hoch')),
  -- The fee rule (payments module format); NULL when the procedure is free of charge.
  fee_schedule         jsonb,
  payment_timing       text NOT NULL DEFAULT 'none' CHECK (payment_timing IN ('none', 'before_submission', 'with_decision')),
  -- Statutory processing time in days (e.g. 90 for the deemed building permit), NULL when none.
  processing_days      integer CHECK (processing_days > 0),
  contact              text,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (form_id, form_version) REFERENCES form_versions (form_id, version)
);
CREATE INDEX application_procedures_form ON application_procedures (form_id);

-- Application numbers: DA-<year>-<sequence>.
CREATE SEQUENCE application_reference_seq;

CREATE TABLE applications (
  id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- Assigned at submission.
  reference             text UNIQUE,
  procedure_id          uuid NOT NULL REFERENCES application_procedures (online_procedure_id),
  -- The responsible authority, found with the authority finder for the applicant's municipality.
  tenant_id             uuid NOT NULL REFERENCES tenants (id),
  form_id               uuid NOT NULL,
  form_version          integer NOT NULL,
  -- The person who applies; kept NULL after their account is deleted (the authority keeps the case).
  account_id            uuid REFERENCES citizen_accounts (id) ON DELETE SET NULL,
  -- Set when the person acts for a business account: the application belongs to the organisation.
  organisation_id       uuid,
  ags                   char(8) NOT NULL REFERENCES municipalities (ags),
  status                text NOT NULL DEFAULT 'draft'
                        CHECK (status IN ('draft', 'submitted', 'in_progress', 'waiting', 'decided', 'closed', 'withdrawn', 'rejected')),
  -- All answers as encrypted JSON (personal data).
  answers_enc           text NOT NULL,
  current_step          text,
  prefill_consent       boolean NOT NULL DEFAULT false,
  -- The trust level in force at the last change by the applicant (at submission: the one submitted with).
  trust_level           text NOT NULL CHECK (trust_level IN ('niedrig', 'substantiell', 'hoch')),
  -- Makes "start" idempotent: a double click or a replay finds the same draft.
  start_key             text,
  draft_expires_at      timestamptz,
  expiry_notice_sent_at timestamptz,
  submitted_at          timestamptz,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (form_id, form_version) REFERENCES form_versions (form_id, version),
  UNIQUE (account_id, start_key),
  CHECK ((status = 'draft') = (submitted_at IS NULL)),
  CHECK (status = 'draft' OR reference IS NOT NULL)
);
CREATE INDEX applications_account ON applications (account_id, updated_at DESC);
CREATE INDEX applications_tenant_status ON applications (tenant_id, status, submitted_at DESC);
CREATE INDEX applications_draft_expiry ON applications (draft_expires_at) WHERE status = 'draft';

-- The history the applicant sees (received, in progress, waiting for you, decided, closed …).
CREATE TABLE application_events (
  id              bigserial PRIMARY KEY,
  application_id  uuid NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
  tenant_id       uuid NOT NULL REFERENCES tenants (id),
  status          text NOT NULL,
  actor_type      text NOT NULL CHECK (actor_type IN ('citizen', 'staff', 'system')),
  actor_id        text,
  -- The level of authentication of the actor, where a citizen acted.
  trust_level     text CHECK (trust_level IN ('niedrig', 'substantiell', 'hoch')),
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX application_events_application ON application_events (application_id, id);

-- The sealed PDF receipt of a submission, produced off the request path by a job.
CREATE TABLE application_receipts (
  application_id  uuid PRIMARY KEY REFERENCES applications (id) ON DELETE CASCADE,
  -- The PDF holds the answers: encrypted at rest like them (base64 inside the field cipher).
  pdf_enc         text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now()
);
