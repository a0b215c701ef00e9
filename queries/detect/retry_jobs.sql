-- name: detect_retry_jobs
-- description: Retries of the given tenants in the window by job type, with the number of distinct jobs retried: retries per job tell a retry storm (no or short backoff) from retries of many failing jobs.
-- param: tenants Array(String) -- the tenants
-- param: window_from DateTime -- start of the window
-- param: now DateTime -- evaluation time (exclusive)
SELECT tenant, job_type, count() AS retries, uniqExact(job_id) AS jobs, max(attempt) AS max_attempt
FROM events
WHERE kind = 'job_retry' AND ts >= @window_from AND ts < @now AND has(@tenants, tenant)
GROUP BY tenant, job_type
