-- name: findings_open
-- description: The newest version of every finding written before a time, among those updated since another; the aggregator keeps those still open. Replicas write identical versions, so taking the newest per finding is idempotent.
-- param: since DateTime -- oldest update looked at (open findings are rewritten at least this often)
-- param: before DateTime -- evaluation time: versions written for it or later are not looked at
SELECT
    finding_key, kind, severity, state, first_seen, last_seen, updated_at,
    tenants, culprit_tenant, cell, service, version, host, job_type, integration, fingerprint, template,
    summary, evidence_names, evidence_values
FROM findings
WHERE updated_at >= @since AND updated_at < @before
ORDER BY updated_at DESC, state ASC
LIMIT 1 BY kind, finding_key, first_seen
