-- Service catalogue: OZG topics and life events, LeiKa services, search index, responsibility rules,
-- authorities' contact data; per-tenant local texts and online procedures; the Digitales Amt award.

-- Trigram similarity for typo-tolerant search. pg_trgm is a trusted extension (PostgreSQL 13+), so a
-- database owner without superuser rights can create it; PGlite loads it at start.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE topics (
  id    integer PRIMARY KEY,
  name  text NOT NULL,
  slug  text NOT NULL UNIQUE
);

CREATE TABLE life_events (
  id        integer PRIMARY KEY,
  name      text NOT NULL,
  slug      text NOT NULL UNIQUE,
  topic_id  integer NOT NULL REFERENCES topics (id),
  audience  text NOT NULL CHECK (audience IN ('citizen', 'business'))
);

CREATE TABLE ozg_services (
  id             integer PRIMARY KEY,
  name           text NOT NULL,
  life_event_id  integer REFERENCES life_events (id),
  topic_id       integer NOT NULL REFERENCES topics (id)
);

-- State-authored service descriptions (the LeiKa service plus its texts).
CREATE TABLE services (
  leika_key        text PRIMARY KEY CHECK (leika_key ~ '^[0-9]{14}$'),
  name             text NOT NULL,
  leika_type       text,
  legal_basis      text,
  ozg_service_id   integer REFERENCES ozg_services (id),
  description      text,
  requirements     text,
  documents        text,
  fees             text,
  deadlines        text,
  processing_time  text,
  forms            text,
  search_name      text NOT NULL,
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX services_ozg_idx ON services (ozg_service_id);

-- Search index: each service's terms (words of its name, their stems and compound parts, its OZG
-- service and life event, synonyms) with a weight; the vocabulary of all terms for typo matching.
CREATE TABLE service_search_terms (
  leika_key  text NOT NULL REFERENCES services (leika_key) ON DELETE CASCADE,
  term       text NOT NULL,
  weight     real NOT NULL,
  PRIMARY KEY (term, leika_key)
);
CREATE INDEX service_search_terms_service_idx ON service_search_terms (leika_key);

CREATE TABLE search_vocabulary (
  term  text PRIMARY KEY
);
CREATE INDEX search_vocabulary_trgm_idx ON search_vocabulary USING gin (term gin_trgm_ops);

-- Who is responsible by default, by LeiKa key prefix (longest prefix wins).
CREATE TABLE responsibility_rules (
  leika_prefix    text PRIMARY KEY CHECK (leika_prefix ~ '^[0-9]{2,14}$'),
  level           text NOT NULL CHECK (level IN ('municipality', 'district', 'district_or_major_town', 'state')),
  authority_name  text,
  note            text
);

-- Exceptions for one service in one area (a municipality, association, district or region).
CREATE TABLE responsibility_overrides (
  leika_key       text NOT NULL REFERENCES services (leika_key),
  area_kind       text NOT NULL CHECK (area_kind IN ('municipality', 'association', 'district', 'region')),
  area_code       text NOT NULL,
  authority_key   text NOT NULL,
  PRIMARY KEY (leika_key, area_kind, area_code)
);

-- Contact data of authorities, keyed like 'municipality:09463000', 'association:096735110',
-- 'district:09473', 'state:lfst'.
CREATE TABLE authorities (
  key            text PRIMARY KEY CHECK (key ~ '^(municipality|association|district|state):[0-9a-z-]+$'),
  name           text NOT NULL,
  street         text,
  postcode       text,
  city           text,
  phone          text,
  email          text,
  website        text,
  opening_hours  text,
  tenant_id      uuid REFERENCES tenants (id)
);

-- A tenant's local additions to a state-authored service description; every version is kept.
CREATE TABLE local_service_texts (
  tenant_id           uuid NOT NULL REFERENCES tenants (id),
  leika_key           text NOT NULL REFERENCES services (leika_key),
  fees                text,
  contact             text,
  local_requirements  text,
  version             integer NOT NULL,
  updated_by          uuid REFERENCES staff_accounts (id),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, leika_key)
);

CREATE TABLE local_service_text_versions (
  tenant_id           uuid NOT NULL REFERENCES tenants (id),
  leika_key           text NOT NULL REFERENCES services (leika_key),
  version             integer NOT NULL,
  fees                text,
  contact             text,
  local_requirements  text,
  changed_by          uuid REFERENCES staff_accounts (id),
  changed_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, leika_key, version)
);

-- Online procedures a tenant links to a service: built on this platform or an external URL,
-- with the OZG maturity level (model 1.x: 0-4, model 2.0: 0-7).
CREATE TABLE online_procedures (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id       uuid NOT NULL REFERENCES tenants (id),
  leika_key       text NOT NULL REFERENCES services (leika_key),
  name            text NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('internal', 'external')),
  url             text,
  maturity_model  text NOT NULL CHECK (maturity_model IN ('1', '2')),
  maturity_level  smallint NOT NULL CHECK (maturity_level >= 0 AND maturity_level <= CASE maturity_model WHEN '1' THEN 4 ELSE 7 END),
  active          boolean NOT NULL DEFAULT true,
  created_by      uuid REFERENCES staff_accounts (id),
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CHECK (kind = 'internal' OR url ~ '^https://'),
  UNIQUE (tenant_id, leika_key, name)
);
CREATE INDEX online_procedures_service_idx ON online_procedures (leika_key, tenant_id) WHERE active;

-- Digitales Amt: awarded when a municipality reaches 50 online procedures; a ministry user confirms.
CREATE TABLE digitales_amt_awards (
  tenant_id        uuid PRIMARY KEY REFERENCES tenants (id),
  qualified_at     timestamptz NOT NULL DEFAULT now(),
  procedure_count  integer NOT NULL,
  confirmed_at     timestamptz,
  confirmed_by     uuid REFERENCES staff_accounts (id)
);
