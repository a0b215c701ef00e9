-- name: detect_traffic
-- description: Events in the detection window and in the baseline over the whole fleet, and the minutes with data in each: what rates are normalised by (load changes over the day) and how much baseline exists (cold start).
-- param: base_from DateTime -- start of the baseline
-- param: window_from DateTime -- start of the window, end of the baseline
-- param: now DateTime -- evaluation time (exclusive)
SELECT
    sumIf(n, minute >= @window_from) AS events_now,
    sumIf(n, minute < @window_from) AS events_base,
    countIf(minute >= @window_from) AS minutes_now,
    countIf(minute < @window_from) AS minutes_base
FROM
(
    SELECT minute, countMerge(events) AS n
    FROM events_1m
    WHERE minute >= @base_from AND minute < @now
    GROUP BY minute
)
