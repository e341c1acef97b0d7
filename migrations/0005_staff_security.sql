-- Staff security: TOTP second factor with recovery codes, network allowlists per tenant,
-- invitations to set a first password, and when each password was last changed.

-- The TOTP secret (base32, encrypted with the field cipher) is written when enrolment starts and
-- counts only once confirmed with a code. The last accepted time step refuses a replayed code.
ALTER TABLE staff_accounts ADD COLUMN totp_secret_enc text;
ALTER TABLE staff_accounts ADD COLUMN totp_confirmed_at timestamptz;
ALTER TABLE staff_accounts ADD COLUMN totp_last_step integer;
ALTER TABLE staff_accounts ADD COLUMN password_changed_at timestamptz;

-- One-time recovery codes: SHA-256 of a random 80-bit code (shown once, never stored in clear).
CREATE TABLE staff_recovery_codes (
  staff_account_id uuid NOT NULL REFERENCES staff_accounts (id) ON DELETE CASCADE,
  code_hash        text NOT NULL,
  used_at          timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (staff_account_id, code_hash)
);

-- Networks from which a tenant's staff pages may be used (IPv4/IPv6 CIDR); none: no restriction.
CREATE TABLE tenant_staff_networks (
  tenant_id  uuid NOT NULL REFERENCES tenants (id),
  cidr       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, cidr)
);

-- An invitation lets a new staff member set their first password (SHA-256 of the token stored).
CREATE TABLE staff_invitations (
  token_hash       text PRIMARY KEY,
  staff_account_id uuid NOT NULL REFERENCES staff_accounts (id) ON DELETE CASCADE,
  tenant_id        uuid NOT NULL REFERENCES tenants (id),
  expires_at       timestamptz NOT NULL,
  used_at          timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now()
);

-- Sign-out of all sessions finds a staff member's sessions by this.
CREATE INDEX sessions_staff_idx ON sessions ((data ->> 'staffId')) WHERE data ? 'staffId';
