-- Access for mobile apps and other clients of the applications API: a citizen creates a token on
-- the account page (shown once, stored as SHA-256), bound to the account, to the business account
-- the person acted for, and to the trust level of the login that created it.
CREATE TABLE citizen_api_tokens (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id       uuid NOT NULL REFERENCES citizen_accounts (id) ON DELETE CASCADE,
  organisation_id  uuid REFERENCES organisations (id) ON DELETE CASCADE,
  name             text NOT NULL,
  token_hash       text NOT NULL UNIQUE,
  trust_level      text NOT NULL CHECK (trust_level IN ('niedrig', 'substantiell', 'hoch')),
  expires_at       timestamptz NOT NULL,
  last_used_at     timestamptz,
  revoked_at       timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX citizen_api_tokens_account ON citizen_api_tokens (account_id, created_at DESC);
