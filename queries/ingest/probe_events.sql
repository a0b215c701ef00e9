-- name: ingest_probe_events
-- description: Ids of one tenant's job-state events since a time; the ingest latency benchmark polls its probe events with it.
-- param: tenant String -- the probe tenant
-- param: since DateTime -- earliest event time
SELECT event_id
FROM events
WHERE kind = 'job_state' AND tenant = @tenant AND ts >= @since
