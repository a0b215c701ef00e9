-- name: ingest_high_water
-- description: Highest source offset stored per partition of a topic; the ingester resumes after it.
-- param: topic String -- Kafka topic the events came from
SELECT partition, max(last_offset) AS high_water
FROM ingest_ledger
WHERE topic = @topic
GROUP BY partition
ORDER BY partition
