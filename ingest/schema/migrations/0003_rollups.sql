-- Per-minute rollups by tenant, service, cell and job type, maintained by a
-- materialized view on every insert into events. Detectors and dashboards
-- read these instead of raw events; quantile states merge across any
-- grouping (e.g. per cell over all tenants).
CREATE TABLE IF NOT EXISTS events_1m (
    minute DateTime,
    tenant String,
    service String,
    cell String,
    job_type String,
    kind String,
    events AggregateFunction(count),
    errors AggregateFunction(sum, UInt64),
    retries AggregateFunction(sum, UInt64),
    started AggregateFunction(sum, UInt64),
    succeeded AggregateFunction(sum, UInt64),
    failed AggregateFunction(sum, UInt64),
    dead AggregateFunction(sum, UInt64),
    duration_sum AggregateFunction(sum, Float64),
    duration_q AggregateFunction(quantiles(0.5, 0.9, 0.99), Float32),
    queue_sum AggregateFunction(sum, Float64),
    queue_q AggregateFunction(quantiles(0.5, 0.9, 0.99), Float32),
    cpu_ms AggregateFunction(sum, Float64),
    db_ms AggregateFunction(sum, Float64),
    bytes AggregateFunction(sum, UInt64)
) ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, tenant, service, cell, job_type, kind);

CREATE MATERIALIZED VIEW IF NOT EXISTS events_1m_mv TO events_1m AS
SELECT
    toStartOfMinute(ts) AS minute,
    tenant, service, cell, job_type, kind,
    countState() AS events,
    sumState(toUInt64(is_error)) AS errors,
    sumState(toUInt64(kind = 'job_retry')) AS retries,
    sumState(toUInt64(state = 'running')) AS started,
    sumState(toUInt64(state = 'succeeded')) AS succeeded,
    sumState(toUInt64(state IN ('failed', 'dead'))) AS failed,
    sumState(toUInt64(state = 'dead')) AS dead,
    sumState(toFloat64(duration_ms)) AS duration_sum,
    quantilesState(0.5, 0.9, 0.99)(duration_ms) AS duration_q,
    sumState(toFloat64(queue_ms)) AS queue_sum,
    quantilesState(0.5, 0.9, 0.99)(queue_ms) AS queue_q,
    sumState(toFloat64(cpu_ms)) AS cpu_ms,
    sumState(toFloat64(db_ms)) AS db_ms,
    sumState(bytes) AS bytes
FROM events
GROUP BY minute, tenant, service, cell, job_type, kind;

-- Errors per minute by fingerprint and every dimension failure-pattern
-- attribution looks at (cell, version, host, service, job type, integration).
CREATE TABLE IF NOT EXISTS errors_1m (
    minute DateTime,
    fingerprint UInt64,
    tenant String,
    service String,
    cell String,
    version String,
    host String,
    job_type String,
    integration String,
    error_class String,
    errors AggregateFunction(count),
    template AggregateFunction(any, String)
) ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, fingerprint, tenant, cell, version, host, service, job_type, integration, error_class);

CREATE MATERIALIZED VIEW IF NOT EXISTS errors_1m_mv TO errors_1m AS
SELECT
    toStartOfMinute(ts) AS minute,
    fingerprint, tenant, service, cell, version, host, job_type, integration, error_class,
    countState() AS errors,
    anyState(template) AS template
FROM events
WHERE is_error = 1
GROUP BY minute, fingerprint, tenant, service, cell, version, host, job_type, integration, error_class;
