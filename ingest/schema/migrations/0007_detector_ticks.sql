-- One row per detector evaluation tick (a whole minute of evaluation time).
-- Aggregator replicas evaluate the same aligned ticks; a replica that starts
-- or falls behind resumes after the newest recorded tick, so every minute
-- is evaluated by someone (no gaps) and evaluating one twice only rewrites
-- identical findings (no duplicates).
CREATE TABLE IF NOT EXISTS detector_ticks (
    tick DateTime,
    evaluated_at DateTime,
    replica String,
    findings UInt32,
    duration_ms UInt32
) ENGINE = ReplacingMergeTree(evaluated_at)
PARTITION BY toYYYYMM(tick)
ORDER BY tick;

-- @requires 20.1
ALTER TABLE detector_ticks MODIFY TTL tick + toIntervalDay({{rollup_retention_days}});
