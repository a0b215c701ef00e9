-- Retention by TTL where the server supports it (ClickHouse >= 20.1; older
-- servers get partition drops from EnforceRetention instead). Day counts come
-- from validated integer configuration, not from user input.
-- @requires 20.1
ALTER TABLE events MODIFY TTL ts + toIntervalDay({{raw_retention_days}});
-- @requires 20.1
ALTER TABLE events_1m MODIFY TTL minute + toIntervalDay({{rollup_retention_days}});
-- @requires 20.1
ALTER TABLE errors_1m MODIFY TTL minute + toIntervalDay({{rollup_retention_days}});
-- @requires 20.1
ALTER TABLE ingest_ledger MODIFY TTL ingested_at + toIntervalDay({{raw_retention_days}});
