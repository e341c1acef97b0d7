-- Each online procedure names the workflow of its cases (modules/cases/workflow.ts): 'standard'
-- ends with a decision (Bescheid), 'notification' (Anzeige) may be closed without one.
ALTER TABLE application_procedures ADD COLUMN workflow text NOT NULL DEFAULT 'standard'
  CHECK (workflow IN ('standard', 'notification'));
