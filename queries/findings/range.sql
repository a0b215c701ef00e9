-- name: findings_range
-- description: The newest version of every finding first seen in a period, oldest first: what runbook pages, the Grafana plugin and the evaluation read.
-- param: from DateTime -- earliest first_seen
-- param: to DateTime -- latest first_seen (exclusive)
SELECT
    finding_key, kind, severity, state, first_seen, last_seen, updated_at,
    tenants, culprit_tenant, cell, service, version, host, job_type, integration, fingerprint, template,
    summary, evidence_names, evidence_values
FROM
(
    SELECT *
    FROM findings
    WHERE first_seen >= @from AND first_seen < @to
    ORDER BY updated_at DESC, state ASC
    LIMIT 1 BY kind, finding_key, first_seen
)
ORDER BY first_seen, finding_key
