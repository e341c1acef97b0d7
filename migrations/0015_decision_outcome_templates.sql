-- Decision templates per outcome: a procedure has at most one template for each outcome of a
-- decision (granted, partially_granted, refused, other) and one 'general' template used for any
-- outcome without its own. The caseworker's draft comes from the outcome's template, else the
-- general one, else the platform's default text for the outcome (modules/cases/decision-text.ts).
--
-- The existing rows (one per procedure) become the approval template ('granted'), not the general
-- one: the decision form started with approval and its default approval text, so what was saved as
-- "the template for this service" is in practice an approval text. As the general fallback it would
-- go on prefilling rejections with an operative part that grants the application; as the approval
-- template, rejections and partial approvals now start from the platform's texts for them (with
-- reasons and legal remedy to fill in) until the authority writes its own.
ALTER TABLE decision_templates ADD COLUMN outcome text NOT NULL DEFAULT 'granted'
  CHECK (outcome IN ('general', 'granted', 'partially_granted', 'refused', 'other'));
-- New rows name their outcome.
ALTER TABLE decision_templates ALTER COLUMN outcome DROP DEFAULT;
ALTER TABLE decision_templates DROP CONSTRAINT decision_templates_pkey;
ALTER TABLE decision_templates ADD PRIMARY KEY (tenant_id, procedure_id, outcome);

-- A decision may also be of another kind than granted or refused (e.g. the proceedings are
-- discontinued or settled): 'other'. The trail entry of an issued decision carries this code.
ALTER TABLE decisions DROP CONSTRAINT decisions_outcome_check;
ALTER TABLE decisions ADD CONSTRAINT decisions_outcome_check
  CHECK (outcome IN ('granted', 'refused', 'partially_granted', 'other'));
