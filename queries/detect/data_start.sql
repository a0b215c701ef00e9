-- name: detect_data_start
-- description: The first minute with errors since a time (zero time if none): how much history exists, so background rates of young warehouses are not underestimated.
-- param: from DateTime -- start of the history
-- param: now DateTime -- evaluation time (exclusive)
SELECT min(minute) AS first_minute, count() AS rows
FROM errors_1m
WHERE minute >= @from AND minute < @now
