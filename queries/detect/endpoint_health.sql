-- name: detect_endpoint_health
-- description: Deliveries to each tenant-configured endpoint (attrs.endpoint) per cell, tenant and job type: finished and failed attempts and run-time quantiles (p10, p50, p90) in the window, in a longer recent window (for endpoints with few deliveries) and in the baseline before both.
-- param: base_from DateTime -- start of the baseline
-- param: long_from DateTime -- start of the long window, end of the baseline
-- param: window_from DateTime -- start of the window
-- param: now DateTime -- evaluation time (exclusive)
SELECT
    cell,
    tenant,
    job_type,
    endpoint,
    sumMergeIf(finishes, minute >= @window_from) AS finished_now,
    sumMergeIf(failures, minute >= @window_from) AS failed_now,
    quantilesIfMergeIf(0.1, 0.5, 0.9)(run_q, minute >= @window_from) AS run_q_now,
    sumMergeIf(finishes, minute >= @long_from) AS finished_long,
    sumMergeIf(failures, minute >= @long_from) AS failed_long,
    quantilesIfMergeIf(0.1, 0.5, 0.9)(run_q, minute >= @long_from) AS run_q_long,
    sumMergeIf(finishes, minute < @long_from) AS finished_base,
    sumMergeIf(failures, minute < @long_from) AS failed_base,
    quantilesIfMergeIf(0.1, 0.5, 0.9)(run_q, minute < @long_from) AS run_q_base
FROM usage_1m
WHERE minute >= @base_from AND minute < @now AND kind = 'job_state' AND endpoint != ''
GROUP BY cell, tenant, job_type, endpoint
HAVING finished_long > 0
