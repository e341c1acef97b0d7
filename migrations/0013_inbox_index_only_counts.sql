-- The inbox counts (up to 1,001 rows) of its filtered views read the status from the index instead
-- of the table: the assignee, service and "answered" indexes carry the status as an included column.
DROP INDEX cases_tenant_assignee;
CREATE INDEX cases_tenant_assignee ON cases (tenant_id, assignee_id, submitted_at DESC, id) INCLUDE (status, due_at);
DROP INDEX cases_tenant_procedure;
CREATE INDEX cases_tenant_procedure ON cases (tenant_id, procedure_id, submitted_at DESC, id) INCLUDE (status, due_at);
DROP INDEX cases_tenant_answered;
CREATE INDEX cases_tenant_answered ON cases (tenant_id, answered_at DESC, id) INCLUDE (status) WHERE answered_at IS NOT NULL;
