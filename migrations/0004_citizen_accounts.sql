-- Citizen accounts (login through SAML 2.0, BundID/BayernID profile) and the service provider's
-- protocol state. Plain PostgreSQL; runs unchanged on PGlite and on a PostgreSQL server.

-- One account per person, keyed by a keyed hash (HMAC-SHA256) of the bPK2 pseudonym, so that the
-- pseudonym itself is not stored. Personal data from the identity is encrypted field by field.
CREATE TABLE citizen_accounts (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  bpk2_hash         text NOT NULL UNIQUE,
  given_name_enc    text,
  family_name_enc   text,
  address_enc       text,
  birth_date_enc    text,
  email_enc         text,
  last_trust_level  text NOT NULL CHECK (last_trust_level IN ('niedrig', 'substantiell', 'hoch')),
  created_at        timestamptz NOT NULL DEFAULT now(),
  last_login_at     timestamptz NOT NULL DEFAULT now()
);

-- Authentication requests we sent and not yet answered. The identity provider's answer arrives as a
-- cross-site POST without our session cookie, so it is bound to the request through this row (its
-- id is the response's InResponseTo), which also holds where to go afterwards. Deleted when used.
CREATE TABLE saml_requests (
  id               text PRIMARY KEY,
  acs_url          text NOT NULL,
  requested_level  text NOT NULL CHECK (requested_level IN ('niedrig', 'substantiell', 'hoch')),
  return_path      text NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  expires_at       timestamptz NOT NULL
);
CREATE INDEX saml_requests_expires_idx ON saml_requests (expires_at);

-- Assertions already accepted, kept until they would have expired anyway: a replay is refused.
CREATE TABLE saml_used_assertions (
  id          text PRIMARY KEY,
  expires_at  timestamptz NOT NULL
);
CREATE INDEX saml_used_assertions_expires_idx ON saml_used_assertions (expires_at);
