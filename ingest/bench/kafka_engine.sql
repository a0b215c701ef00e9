-- The peer a user would pick instead of our ingester: ClickHouse's own Kafka
-- table engine consuming the same topic, with a materialized view writing the
-- same events table. Engine settings cannot be query parameters; the
-- {{placeholders}} are the benchmark's own validated broker, topic and group.
CREATE TABLE kafka_events (
    v UInt8, id String, ts String, tenant String, service String, cell String, shard String,
    host String, version String, kind String, job_id String, job_type String, state String,
    attempt UInt16, duration_ms Float64, queue_ms Float64, integration String, queue String,
    route String, status UInt16, error_class String, error_message String,
    cpu_ms Float64, db_ms Float64, bytes UInt64
) ENGINE = Kafka SETTINGS
    kafka_broker_list = '{{broker}}',
    kafka_topic_list = '{{topic}}',
    kafka_group_name = '{{group}}',
    kafka_format = 'JSONEachRow',
    kafka_num_consumers = {{consumers}};

CREATE MATERIALIZED VIEW kafka_events_mv TO events AS
SELECT
    id AS event_id, parseDateTimeBestEffort(ts) AS ts, toUInt16(0) AS ts_ms,
    tenant, service, cell, shard, host,
    version, kind, job_id, job_type, state,
    attempt, toFloat32(duration_ms) AS duration_ms, toFloat32(queue_ms) AS queue_ms,
    integration, queue, route, status,
    toUInt8(kind = 'error' OR state IN ('failed', 'dead') OR error_class != '' OR status >= 500) AS is_error,
    error_class, error_message, toUInt64(0) AS fingerprint, '' AS template,
    toFloat32(cpu_ms) AS cpu_ms, toFloat32(db_ms) AS db_ms, bytes,
    emptyArrayString() AS attr_keys, emptyArrayString() AS attr_values, now() AS ingested_at,
    'kafka_engine' AS src_topic, toUInt16(0) AS src_partition, toUInt64(0) AS src_offset, toUInt64(0) AS batch_end
FROM kafka_events;
