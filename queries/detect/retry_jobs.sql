-- name: detect_retry_jobs
-- description: Retries of the given tenants in the window by job type: how many, of how many jobs, and how a job's waits before its retries grow (the second wait over the first, median over the jobs whose waits can be judged). A wait runs from the job_retry event that schedules an attempt to that attempt's running event, so the attempts' own run times do not dilute it; a job without running events falls back to the gaps between consecutive retries. Backoff makes the waits grow; a retry storm retries at a constant pace.
-- param: tenants Array(String) -- the tenants
-- param: window_from DateTime -- start of the window
-- param: now DateTime -- evaluation time (exclusive)
SELECT
    tenant,
    job_type,
    sum(n) AS retries,
    count() AS jobs,
    countIf(judged) AS jobs_judged,
    quantileExactIf(0.5)(gap2_ms / greatest(gap1_ms, 1), judged) AS gap_growth,
    quantileExactIf(0.5)(gap2_ms, judged) AS second_gap_ms,
    max(top_attempt) AS max_attempt
FROM
(
    SELECT
        tenant, job_type, job_id,
        sum(retried) AS n,
        max(attempt) AS top_attempt,
        arrayMap(x -> x.2, arraySort(groupArrayIf((attempt, start_ms - retry_ms), retried AND started))) AS waits,
        arraySort(groupArrayIf(retry_ms, retried)) AS t,
        length(waits) >= 2 AS by_wait,
        by_wait OR n >= 3 AS judged,
        if(by_wait, waits[1], if(n >= 3, t[2] - t[1], 0.)) AS gap1_ms,
        if(by_wait, waits[2], if(n >= 3, t[3] - t[2], 0.)) AS gap2_ms
    FROM
    (
        SELECT
            tenant, job_type, job_id, attempt,
            countIf(kind = 'job_retry') > 0 AS retried,
            countIf(kind = 'job_state') > 0 AS started,
            toFloat64(minIf(ms, kind = 'job_retry')) AS retry_ms,
            toFloat64(minIf(ms, kind = 'job_state')) AS start_ms
        FROM
        (
            SELECT tenant, job_type, job_id, attempt, kind, toUInt64(toUInt32(ts)) * 1000 + ts_ms AS ms
            FROM events
            WHERE ts >= @window_from AND ts < @now AND has(@tenants, tenant) AND job_id != ''
              AND (kind = 'job_retry' OR (kind = 'job_state' AND state = 'running'))
        )
        GROUP BY tenant, job_type, job_id, attempt
    )
    GROUP BY tenant, job_type, job_id
    HAVING n > 0
)
GROUP BY tenant, job_type
