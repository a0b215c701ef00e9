-- name: detect_job_type_fingerprint_errors
-- description: Errors of the given job types and fingerprints in the window, by tenant and fingerprint: whether the errors a tenant's failing job type produces fail the type's other tenants too (one broken job type) or are the tenant's own (its payloads), while the other tenants fail for another reason.
-- param: job_types Array(String) -- the job types
-- param: fingerprints Array(UInt64) -- the error fingerprints
-- param: window_from DateTime -- start of the window
-- param: now DateTime -- evaluation time (exclusive)
SELECT job_type, tenant, fingerprint, countMerge(errors) AS errors
FROM errors_1m
WHERE minute >= @window_from AND minute < @now AND has(@job_types, job_type) AND has(@fingerprints, fingerprint)
GROUP BY job_type, tenant, fingerprint
ORDER BY job_type, tenant, fingerprint
