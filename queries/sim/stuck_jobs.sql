-- name: sim_stuck_jobs
-- description: Jobs whose latest state at a time is running and at least a given age, by tenant (sim.Observations.StuckJobs). The filters apply to the job's latest event.
-- param: at_ms UInt64 -- evaluation time, unix ms
-- param: older_ms UInt64 -- minimum time since the job's running event
-- param: tenant String -- empty: any
-- param: not_tenant String
-- param: cell String
-- param: not_cell String
-- param: host String
-- param: version String
-- param: job_type String
-- param: integration String
SELECT j_tenant AS tenant, count() AS n
FROM
(
    SELECT
        job_id,
        argMax(state, toUInt64(ts) * 1000 + ts_ms) AS j_state,
        max(toUInt64(ts) * 1000 + ts_ms) AS j_ms,
        argMax(tenant, toUInt64(ts) * 1000 + ts_ms) AS j_tenant,
        argMax(cell, toUInt64(ts) * 1000 + ts_ms) AS j_cell,
        argMax(host, toUInt64(ts) * 1000 + ts_ms) AS j_host,
        argMax(version, toUInt64(ts) * 1000 + ts_ms) AS j_version,
        any(job_type) AS j_type,
        any(integration) AS j_integration
    FROM events
    WHERE kind = 'job_state' AND job_id != '' AND toUInt64(ts) * 1000 + ts_ms <= @at_ms
    GROUP BY job_id
)
WHERE j_state = 'running' AND j_ms + @older_ms <= @at_ms
  AND (@tenant = '' OR j_tenant = @tenant)
  AND (@not_tenant = '' OR j_tenant != @not_tenant)
  AND (@cell = '' OR j_cell = @cell)
  AND (@not_cell = '' OR j_cell != @not_cell)
  AND (@host = '' OR j_host = @host)
  AND (@version = '' OR j_version = @version)
  AND (@job_type = '' OR j_type = @job_type)
  AND (@integration = '' OR j_integration = @integration)
GROUP BY j_tenant
