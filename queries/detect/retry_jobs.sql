-- name: detect_retry_jobs
-- description: Retries of the given tenants in the window by job type: how many, of how many jobs, and how the gaps between a job's consecutive retries grow (the second gap over the first, median over jobs retried at least three times). Backoff makes the gaps grow; a retry storm retries at a constant pace.
-- param: tenants Array(String) -- the tenants
-- param: window_from DateTime -- start of the window
-- param: now DateTime -- evaluation time (exclusive)
SELECT
    tenant,
    job_type,
    sum(n) AS retries,
    count() AS jobs,
    countIf(n >= 3) AS jobs_retried_thrice,
    quantileExactIf(0.5)(gap2_ms / greatest(gap1_ms, 1), n >= 3) AS gap_growth,
    quantileExactIf(0.5)(gap2_ms, n >= 3) AS second_gap_ms,
    max(top_attempt) AS max_attempt
FROM
(
    SELECT
        tenant, job_type, job_id,
        count() AS n,
        max(attempt) AS top_attempt,
        arraySort(groupArray(toUInt64(toUInt32(ts)) * 1000 + ts_ms)) AS t,
        if(n >= 3, toFloat64(t[3] - t[2]), 0.) AS gap2_ms,
        if(n >= 3, toFloat64(t[2] - t[1]), 0.) AS gap1_ms
    FROM events
    WHERE kind = 'job_retry' AND ts >= @window_from AND ts < @now AND has(@tenants, tenant)
    GROUP BY tenant, job_type, job_id
)
GROUP BY tenant, job_type
