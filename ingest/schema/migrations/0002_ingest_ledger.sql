-- One row per inserted batch and Kafka partition: the highest source offset a
-- batch covered (including offsets that went to the dead-letter topic). The
-- ingester resumes each partition after max(last_offset), which makes a replay
-- after a crash skip what ClickHouse already holds. The materialized view
-- writes the ledger row as part of the same INSERT as the events themselves.
CREATE TABLE IF NOT EXISTS ingest_ledger (
    topic String,
    partition UInt16,
    first_offset UInt64,
    last_offset UInt64,
    rows UInt64,
    ingested_at DateTime
) ENGINE = MergeTree
ORDER BY (topic, partition, last_offset);

CREATE MATERIALIZED VIEW IF NOT EXISTS ingest_ledger_mv TO ingest_ledger AS
SELECT
    src_topic AS topic,
    src_partition AS partition,
    min(src_offset) AS first_offset,
    max(batch_end) AS last_offset,
    count() AS rows,
    max(ingested_at) AS ingested_at
FROM events
GROUP BY src_topic, src_partition;
