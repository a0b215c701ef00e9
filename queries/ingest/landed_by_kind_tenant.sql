-- name: ingest_landed_by_kind
-- description: Stored events per kind since a time, with the number of tenants and errors.
-- param: since DateTime -- count events with ts at or after this time
SELECT kind, count() AS events, uniqExact(tenant) AS tenants, sum(is_error) AS errors
FROM events
WHERE ts >= @since
GROUP BY kind
ORDER BY events DESC
