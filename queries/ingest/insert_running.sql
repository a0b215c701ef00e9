-- name: ingest_insert_running
-- description: Whether the server still runs a query; after a failed INSERT the ingester waits until it no longer does before it reads the ledger.
-- param: query_id String -- the INSERT's query id
SELECT count() AS running
FROM system.processes
WHERE query_id = @query_id
