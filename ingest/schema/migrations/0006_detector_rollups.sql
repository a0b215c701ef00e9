-- Rollups the aggregator's detectors read instead of raw events.
--
-- job_attempts_1m counts job attempts by the minute they started: a
-- "running" event adds a start (end_minute = 0); a terminal event
-- (succeeded, failed, dead) adds an end in the minute it happened, filed
-- under its start minute (its time minus its duration_ms). Attempts still
-- open at time T that started in [A, B) are then starts minus ends with
-- end_minute < T, over start minutes in [A, B): the stuck-jobs detector
-- needs no per-job state and reads a few thousand rows, however many raw
-- events there are.
CREATE TABLE IF NOT EXISTS job_attempts_1m (
    start_minute DateTime,
    end_minute DateTime,
    cell String,
    host String,
    job_type String,
    attempts UInt64
) ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(start_minute)
ORDER BY (start_minute, end_minute, cell, host, job_type);

CREATE MATERIALIZED VIEW IF NOT EXISTS job_attempts_1m_mv TO job_attempts_1m AS
SELECT
    if(state = 'running', toStartOfMinute(ts),
       toStartOfMinute(toDateTime(intDiv(greatest(toInt64(toUInt32(ts)) * 1000 + ts_ms - toInt64(round(duration_ms)), 0), 1000)))) AS start_minute,
    if(state = 'running', toDateTime(0), toStartOfMinute(ts)) AS end_minute,
    cell, host, job_type,
    count() AS attempts
FROM events
WHERE kind = 'job_state' AND state IN ('running', 'succeeded', 'failed', 'dead')
GROUP BY start_minute, end_minute, cell, host, job_type;

-- usage_1m is per-minute consumption and service quality by shared resource
-- (cell, shard, queue), tenant, job type and tenant-configured endpoint
-- (attrs.endpoint): what the noisy-neighbour, poison-job, endpoint and
-- request-flood detectors compare against baselines. run_* covers finished
-- job attempts and requests (run_q: p10, p50, p90); wait_* is queue time of
-- attempts as they start (wait_q: p50, p90).
-- Metering samples (kind = 'resource') repeat what requests and jobs
-- report and are left out.
CREATE TABLE IF NOT EXISTS usage_1m (
    minute DateTime,
    cell String,
    shard String,
    queue String,
    tenant String,
    job_type String,
    endpoint String,
    kind String,
    events AggregateFunction(count),
    starts AggregateFunction(sum, UInt64),
    finishes AggregateFunction(sum, UInt64),
    failures AggregateFunction(sum, UInt64),
    dead AggregateFunction(sum, UInt64),
    run_ms AggregateFunction(sum, Float64),
    fail_run_ms AggregateFunction(sum, Float64),
    run_q AggregateFunction(quantilesIf(0.1, 0.5, 0.9), Float32, UInt8),
    wait_ms AggregateFunction(sum, Float64),
    wait_q AggregateFunction(quantilesIf(0.5, 0.9), Float32, UInt8),
    cpu_ms AggregateFunction(sum, Float64),
    db_ms AggregateFunction(sum, Float64)
) ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, cell, shard, queue, tenant, job_type, endpoint, kind);

CREATE MATERIALIZED VIEW IF NOT EXISTS usage_1m_mv TO usage_1m AS
SELECT
    toStartOfMinute(ts) AS minute,
    cell, shard, queue, tenant, job_type,
    attr_values[indexOf(attr_keys, 'endpoint')] AS endpoint,
    kind,
    countState() AS events,
    sumState(toUInt64(state = 'running')) AS starts,
    sumState(toUInt64(kind = 'request' OR state IN ('succeeded', 'failed', 'dead'))) AS finishes,
    sumState(toUInt64(state IN ('failed', 'dead') OR (kind = 'request' AND status >= 500))) AS failures,
    sumState(toUInt64(state = 'dead')) AS dead,
    sumState(if(kind = 'request' OR state IN ('succeeded', 'failed', 'dead'), toFloat64(duration_ms), 0.)) AS run_ms,
    sumState(if(state IN ('failed', 'dead'), toFloat64(duration_ms), 0.)) AS fail_run_ms,
    quantilesIfState(0.1, 0.5, 0.9)(duration_ms, toUInt8(kind = 'request' OR state IN ('succeeded', 'failed', 'dead'))) AS run_q,
    sumState(if(state = 'running', toFloat64(queue_ms), 0.)) AS wait_ms,
    quantilesIfState(0.5, 0.9)(queue_ms, toUInt8(state = 'running')) AS wait_q,
    sumState(toFloat64(cpu_ms)) AS cpu_ms,
    sumState(toFloat64(db_ms)) AS db_ms
FROM events
WHERE kind != 'resource'
GROUP BY minute, cell, shard, queue, tenant, job_type, endpoint, kind;

-- @requires 20.1
ALTER TABLE job_attempts_1m MODIFY TTL start_minute + toIntervalDay({{rollup_retention_days}});
-- @requires 20.1
ALTER TABLE usage_1m MODIFY TTL minute + toIntervalDay({{rollup_retention_days}});
