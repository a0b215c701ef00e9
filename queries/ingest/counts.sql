-- name: ingest_counts
-- description: Stored rows and distinct events of a topic; rows minus distinct events is the number of duplicates.
-- param: topic String -- Kafka topic the events came from
SELECT count() AS rows, uniqExact(event_id) AS distinct_events
FROM events
WHERE src_topic = @topic
