-- name: ingest_merges_running
-- description: Merges running in the connection's database; the ingest benchmark waits for them after a phase to measure the merge work the phase left behind.
SELECT count() AS running
FROM system.merges
WHERE database = currentDatabase()
