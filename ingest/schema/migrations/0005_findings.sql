-- Findings raised by the aggregator. One row per evaluation that changed a
-- finding; ReplacingMergeTree keeps the newest version per key, and readers
-- take argMax(…, updated_at) so duplicates written by several aggregator
-- replicas (the same evaluation gives the same row) never show twice.
CREATE TABLE IF NOT EXISTS findings (
    finding_key String,
    kind String,
    severity String,
    state String,
    first_seen DateTime,
    last_seen DateTime,
    updated_at DateTime,
    tenants Array(String),
    culprit_tenant String,
    cell String,
    service String,
    version String,
    host String,
    job_type String,
    integration String,
    fingerprint UInt64,
    template String,
    summary String,
    evidence_names Array(String),
    evidence_values Array(Float64)
) ENGINE = ReplacingMergeTree(updated_at)
PARTITION BY toYYYYMM(first_seen)
ORDER BY (kind, finding_key, first_seen);
