-- name: detect_job_outcomes
-- description: Finished, failed and dead job attempts per cell, tenant and job type in the window and the baseline, with the run time of failed and of all finished attempts: poison jobs (retried to death, failing fast) and error creep per job type.
-- param: base_from DateTime -- start of the baseline
-- param: window_from DateTime -- start of the window, end of the baseline
-- param: now DateTime -- evaluation time (exclusive)
SELECT
    cell,
    tenant,
    job_type,
    sumMergeIf(finishes, minute >= @window_from) AS finished_now,
    sumMergeIf(failures, minute >= @window_from) AS failed_now,
    sumMergeIf(dead, minute >= @window_from) AS dead_now,
    sumMergeIf(run_ms, minute >= @window_from) AS run_ms_now,
    sumMergeIf(fail_run_ms, minute >= @window_from) AS fail_run_ms_now,
    sumMergeIf(finishes, minute < @window_from) AS finished_base,
    sumMergeIf(failures, minute < @window_from) AS failed_base,
    sumMergeIf(dead, minute < @window_from) AS dead_base,
    sumMergeIf(run_ms, minute < @window_from) AS run_ms_base,
    sumMergeIf(fail_run_ms, minute < @window_from) AS fail_run_ms_base
FROM usage_1m
WHERE minute >= @base_from AND minute < @now AND kind = 'job_state'
GROUP BY cell, tenant, job_type
HAVING finished_now > 0
