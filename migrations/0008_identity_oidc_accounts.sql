-- Citizen accounts, part two: verified contact data and notification preference, business accounts
-- (organisations, members, invitations), captured demo text messages, and staff login through the
-- authority's own OpenID Connect provider. Plain PostgreSQL; runs unchanged on PGlite and PostgreSQL.

-- Contact data the citizen gives (not from the identity): only verified values are stored here.
ALTER TABLE citizen_accounts ADD COLUMN contact_email_enc text;
ALTER TABLE citizen_accounts ADD COLUMN contact_phone_enc text;
ALTER TABLE citizen_accounts ADD COLUMN notify_mailbox_email boolean NOT NULL DEFAULT true;
-- Set when the citizen deleted the account: its personal data is gone, the row stays so that records
-- the law makes the authorities keep (applications, payments) still point somewhere.
ALTER TABLE citizen_accounts ADD COLUMN deleted_at timestamptz;

-- A contact value waiting for its proof: the e-mail link's token or the text message's code,
-- stored as a SHA-256 hash; one pending value per kind and account, used once.
CREATE TABLE citizen_contact_verifications (
  account_id   uuid NOT NULL REFERENCES citizen_accounts (id) ON DELETE CASCADE,
  kind         text NOT NULL CHECK (kind IN ('email', 'phone')),
  value_enc    text NOT NULL,
  secret_hash  text NOT NULL,
  attempts     integer NOT NULL DEFAULT 0,
  expires_at   timestamptz NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, kind)
);
CREATE INDEX citizen_contact_verifications_secret_idx ON citizen_contact_verifications (secret_hash);

-- Text messages in demo mode: kept (encrypted) for the operators' page instead of being sent.
CREATE TABLE captured_text_messages (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  to_enc      text NOT NULL,
  body_enc    text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX captured_text_messages_created_idx ON captured_text_messages (created_at);

-- Business accounts (Unternehmenskonto): the organisation identity asserted at login, keyed by a
-- keyed hash of its asserted id; name and address encrypted (sole traders' names are personal data).
CREATE TABLE organisations (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  external_id_hash text NOT NULL UNIQUE,
  name_enc         text NOT NULL,
  address_enc      text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE organisation_members (
  organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  account_id      uuid NOT NULL REFERENCES citizen_accounts (id) ON DELETE CASCADE,
  role            text NOT NULL CHECK (role IN ('administrator', 'member')),
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organisation_id, account_id)
);
CREATE INDEX organisation_members_account_idx ON organisation_members (account_id);

-- Invitations by e-mail: a single-use token (stored as SHA-256 hash) with an expiry.
CREATE TABLE organisation_invitations (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  email_enc       text NOT NULL,
  role            text NOT NULL CHECK (role IN ('administrator', 'member')),
  token_hash      text NOT NULL UNIQUE,
  invited_by      uuid REFERENCES citizen_accounts (id) ON DELETE SET NULL,
  expires_at      timestamptz NOT NULL,
  accepted_at     timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX organisation_invitations_org_idx ON organisation_invitations (organisation_id);

-- Staff login through the authority's own OpenID Connect provider (optional, per tenant). The staff
-- account must exist and belong to the tenant; the claim named here carries its e-mail address.
-- mfa_amr_values: `amr` values that count as a second factor done at the provider (space-separated).
CREATE TABLE tenant_staff_oidc (
  tenant_id          uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  issuer             text NOT NULL,
  client_id          text NOT NULL,
  client_secret_enc  text NOT NULL,
  email_claim        text NOT NULL DEFAULT 'email',
  mfa_amr_values     text NOT NULL DEFAULT 'mfa hwk otp',
  enabled            boolean NOT NULL DEFAULT true,
  updated_at         timestamptz NOT NULL DEFAULT now()
);
