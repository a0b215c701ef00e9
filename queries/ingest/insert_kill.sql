-- name: ingest_insert_kill
-- description: Stops a failed INSERT the server still runs long after the ingester gave up on it, so the partitions can read the ledger; what the INSERT stored before it stopped is in the ledger too.
-- param: query_id String -- the INSERT's query id
KILL QUERY WHERE query_id = @query_id SYNC
