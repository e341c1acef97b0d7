-- Documents and uploads: seal keys (PAdES), per-tenant data keys (envelope encryption) and
-- encrypted evidence uploads. Plain PostgreSQL; runs unchanged on PGlite and on a PostgreSQL server.

-- Seal key material created by the platform: the demo CA and demo seal keys (demo mode), one for
-- the platform (tenant_id NULL) and one per tenant. Configured production keys are read from files
-- and are not stored here. The private key is encrypted with the field cipher (DATA_ENCRYPTION_KEY).
CREATE TABLE seal_keys (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  purpose          text NOT NULL CHECK (purpose IN ('demo_ca', 'seal')),
  tenant_id        uuid REFERENCES tenants (id) ON DELETE CASCADE,
  certificate_pem  text NOT NULL,
  private_key_enc  text NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  CHECK (purpose = 'seal' OR tenant_id IS NULL)
);
-- One key per purpose and owner; concurrent first uses insert once (ON CONFLICT DO NOTHING).
CREATE UNIQUE INDEX seal_keys_owner_idx ON seal_keys (purpose, COALESCE(tenant_id, '00000000-0000-0000-0000-000000000000'::uuid));

-- Per-tenant data keys. Each version is a random 256-bit key, wrapped (encrypted) with the master
-- key (the field cipher). Rotation adds a version; data written with an older version stays
-- readable and is moved to the newest version by a re-encryption run.
CREATE TABLE tenant_data_keys (
  tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  version      integer NOT NULL CHECK (version > 0),
  wrapped_key  text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, version)
);

-- Evidence and attachments. File name and content are encrypted with the tenant's data key
-- (key_version says which); size and SHA-256 of the plaintext are kept for receipts and checks.
CREATE TABLE uploads (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  owner_kind      text NOT NULL CHECK (owner_kind ~ '^[a-z][a-z0-9_-]{1,40}$'),
  owner_id        uuid NOT NULL,
  file_name_enc   bytea NOT NULL,
  media_type      text NOT NULL CHECK (media_type IN ('application/pdf', 'image/png', 'image/jpeg', 'image/webp', 'image/tiff')),
  size_bytes      integer NOT NULL CHECK (size_bytes > 0),
  sha256          text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  content_enc     bytea NOT NULL,
  key_version     integer NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX uploads_owner_idx ON uploads (tenant_id, owner_kind, owner_id);
CREATE INDEX uploads_key_version_idx ON uploads (tenant_id, key_version);
