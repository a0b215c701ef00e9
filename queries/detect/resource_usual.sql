-- name: detect_resource_usual
-- description: Per given shared resource (a cell, a cell's shard, a cell's queue) and tenant, its usual minute before the window: the medians, over the minutes it used the resource, of its job starts, busy time, cpu and db time, queue time per job start, requests and latency per request, and how many such minutes there were. A noisy neighbour that has filled its own baseline still stands out against it while it is shorter than half the history.
-- param: resources Array(String) -- the resources
-- param: from DateTime -- start of the history
-- param: window_from DateTime -- start of the window, end of the history looked at
SELECT
    level,
    resource,
    tenant,
    quantileExact(0.5)(toFloat64(m_starts)) AS starts,
    quantileExact(0.5)(toFloat64(m_busy_ms)) AS busy_ms,
    quantileExact(0.5)(toFloat64(m_cpu_db_ms)) AS cpu_db_ms,
    quantileExactIf(0.5)(m_wait_ms / m_starts, m_starts > 0) AS wait_per_start_ms,
    quantileExact(0.5)(toFloat64(m_requests)) AS requests,
    quantileExactIf(0.5)(m_latency_ms / m_requests, m_requests > 0) AS latency_per_request_ms,
    count() AS minutes
FROM
(
    SELECT
        level,
        resource,
        tenant,
        minute,
        sumMerge(starts) AS m_starts,
        sumMerge(run_ms) AS m_busy_ms,
        sumMerge(cpu_ms) + sumMerge(db_ms) AS m_cpu_db_ms,
        sumMerge(wait_ms) AS m_wait_ms,
        countMergeIf(events, kind = 'request') AS m_requests,
        sumMergeIf(run_ms, kind = 'request') AS m_latency_ms
    FROM usage_1m
    ARRAY JOIN
        ['cell', 'shard', 'queue'] AS level,
        [cell, concat(cell, '/', shard), concat(cell, '/', queue)] AS resource
    WHERE minute >= @from AND minute < @window_from AND has(@resources, resource) AND (level = 'cell' OR resource NOT LIKE '%/')
    GROUP BY level, resource, tenant, minute
)
GROUP BY level, resource, tenant
