-- Versions of cached data. A change to cached data bumps its version in the same transaction; every
-- app instance compares its cached version with this row (at most once a second) and drops its
-- cache when it moved, so instances never serve stale data for longer than that.
CREATE TABLE cache_versions (
  name     text PRIMARY KEY,
  version  bigint NOT NULL DEFAULT 0
);
INSERT INTO cache_versions (name, version) VALUES ('catalog', 0);
