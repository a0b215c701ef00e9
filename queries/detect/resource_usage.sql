-- name: detect_resource_usage
-- description: Per shared resource (a cell, a cell's shard, a cell's queue) and tenant, in the window and the baseline: consumption (job starts, busy time, cpu and db time, queue occupancy) and quality (queue time of job starts, request count and latency), for the noisy-neighbour detector. Sums only, so it stays cheap over many tenants and resources.
-- param: base_from DateTime -- start of the baseline
-- param: window_from DateTime -- start of the window, end of the baseline
-- param: now DateTime -- evaluation time (exclusive)
SELECT
    level,
    resource,
    tenant,
    sumMergeIf(starts, minute >= @window_from) AS starts_now,
    sumMergeIf(starts, minute < @window_from) AS starts_base,
    sumMergeIf(run_ms, minute >= @window_from) AS busy_ms_now,
    sumMergeIf(run_ms, minute < @window_from) AS busy_ms_base,
    sumMergeIf(cpu_ms, minute >= @window_from) + sumMergeIf(db_ms, minute >= @window_from) AS cpu_db_ms_now,
    sumMergeIf(cpu_ms, minute < @window_from) + sumMergeIf(db_ms, minute < @window_from) AS cpu_db_ms_base,
    sumMergeIf(wait_ms, minute >= @window_from) AS wait_ms_now,
    sumMergeIf(wait_ms, minute < @window_from) AS wait_ms_base,
    countMergeIf(events, minute >= @window_from AND kind = 'request') AS requests_now,
    countMergeIf(events, minute < @window_from AND kind = 'request') AS requests_base,
    sumMergeIf(run_ms, minute >= @window_from AND kind = 'request') AS latency_ms_now,
    sumMergeIf(run_ms, minute < @window_from AND kind = 'request') AS latency_ms_base
FROM usage_1m
ARRAY JOIN
    ['cell', 'shard', 'queue'] AS level,
    [cell, concat(cell, '/', shard), concat(cell, '/', queue)] AS resource
WHERE minute >= @base_from AND minute < @now AND (level = 'cell' OR resource NOT LIKE '%/')
GROUP BY level, resource, tenant
