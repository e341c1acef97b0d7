-- A case keeps the workflow its procedure had when the application was submitted. Tenant
-- administrators may change a procedure's workflow (modules/form-library); the rules of a case
-- already open must not change under the caseworker and the applicant: an application filed for a
-- decision (Bescheid) must not become closable without one, and a notification (Anzeige) filed to be
-- taken note of must not suddenly need a decision. New cases copy the procedure's workflow
-- (modules/cases/cases.repository.ts insertCase); the default only serves rows written otherwise.
ALTER TABLE cases ADD COLUMN workflow text NOT NULL DEFAULT 'standard'
  CHECK (workflow IN ('standard', 'notification'));
UPDATE cases SET workflow = ap.workflow
  FROM application_procedures ap
  WHERE ap.online_procedure_id = cases.procedure_id AND ap.workflow <> 'standard';
