-- SAML 2.0 single logout for citizens.
-- LogoutRequests this service provider sent and whose LogoutResponse is awaited (single use, like
-- saml_requests for logins): the answer must arrive at slo_url and name one of these ids.
CREATE TABLE saml_logout_requests (
  id          text PRIMARY KEY,
  slo_url     text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL
);
CREATE INDEX saml_logout_requests_expires_idx ON saml_logout_requests (expires_at);

-- A logout from the identity provider ends every session of the person: sessions are found by the
-- keyed hash of the login's NameID (no personal data) and then by the citizen account.
CREATE INDEX sessions_citizen_idx ON sessions ((data ->> 'citizenId')) WHERE data ? 'citizenId';
CREATE INDEX sessions_saml_subject_idx ON sessions ((data -> 'samlLogin' ->> 'subjectKey')) WHERE data ? 'samlLogin';
