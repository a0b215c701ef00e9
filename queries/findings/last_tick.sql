-- name: detector_last_tick
-- description: The newest evaluation tick any aggregator replica recorded since a time (zero time if none): where a starting or lagging replica resumes.
-- param: since DateTime -- oldest tick looked at
SELECT max(tick) AS last_tick, count() AS ticks
FROM detector_ticks
WHERE tick >= @since
