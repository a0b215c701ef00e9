-- name: detect_tenant_job_errors
-- description: Errors of the given tenants in the window by job type and fingerprint: which error signatures a tenant's failing job type produces, so a job-level finding and a failure pattern of the same errors are told apart or recognised as one incident.
-- param: tenants Array(String) -- the tenants
-- param: window_from DateTime -- start of the window
-- param: now DateTime -- evaluation time (exclusive)
SELECT tenant, job_type, fingerprint, countMerge(errors) AS errors
FROM errors_1m
WHERE minute >= @window_from AND minute < @now AND has(@tenants, tenant)
GROUP BY tenant, job_type, fingerprint
ORDER BY tenant, job_type, errors DESC, fingerprint
