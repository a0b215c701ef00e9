-- name: detect_tenant_activity
-- description: Requests, job retries and job starts per cell and tenant in the detection window (and requests in its last minute) and the baseline before it: request floods and retry storms compare each tenant with its own baseline, scaled by how the rest of its cell changed.
-- param: base_from DateTime -- start of the baseline
-- param: window_from DateTime -- start of the window, end of the baseline
-- param: last_from DateTime -- start of the window's last minute
-- param: now DateTime -- evaluation time (exclusive)
SELECT
    cell,
    tenant,
    countMergeIf(events, kind = 'request' AND minute >= @window_from) AS requests_now,
    countMergeIf(events, kind = 'request' AND minute < @window_from) AS requests_base,
    countMergeIf(events, kind = 'request' AND minute >= @last_from) AS requests_last,
    countMergeIf(events, kind = 'job_retry' AND minute >= @window_from) AS retries_now,
    countMergeIf(events, kind = 'job_retry' AND minute < @window_from) AS retries_base,
    sumMergeIf(starts, minute >= @window_from) AS starts_now,
    sumMergeIf(starts, minute < @window_from) AS starts_base
FROM usage_1m
WHERE minute >= @base_from AND minute < @now
GROUP BY cell, tenant
