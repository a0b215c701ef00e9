-- name: ingest_landed_by_tenant
-- description: The tenants with the most stored events since a time.
-- param: since DateTime -- count events with ts at or after this time
-- param: limit UInt32 -- how many tenants
SELECT tenant, count() AS events, sum(is_error) AS errors, uniqExact(kind) AS kinds
FROM events
WHERE ts >= @since
GROUP BY tenant
ORDER BY events DESC
LIMIT @limit
