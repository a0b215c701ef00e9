-- Raw operational events, one row per accepted event. Daily partitions keep
-- retention cheap (drop a partition); the sort key starts with the kind and the
-- hour so the cross-tenant "what happened in the last N minutes" scans of the
-- detectors read few granules, and continues with the tenant so per-tenant
-- drill-downs within a window are also served by the primary index.
-- src_* and batch_end record where each row came from in Kafka; the ingester
-- uses them (through ingest_ledger) to make replays idempotent.
CREATE TABLE IF NOT EXISTS events (
    event_id String,
    ts DateTime,
    ts_ms UInt16,
    tenant String,
    service String,
    cell String,
    shard String,
    host String,
    version String,
    kind String,
    job_id String,
    job_type String,
    state String,
    attempt UInt16,
    duration_ms Float32,
    queue_ms Float32,
    integration String,
    queue String,
    route String,
    status UInt16,
    is_error UInt8,
    error_class String,
    error_message String,
    fingerprint UInt64,
    template String,
    cpu_ms Float32,
    db_ms Float32,
    bytes UInt64,
    attr_keys Array(String),
    attr_values Array(String),
    ingested_at DateTime,
    src_topic String,
    src_partition UInt16,
    src_offset UInt64,
    batch_end UInt64
) ENGINE = MergeTree
PARTITION BY toYYYYMMDD(ts)
ORDER BY (kind, toStartOfHour(ts), tenant, ts)
SETTINGS index_granularity = 8192;
