-- name: detect_burst_candidates
-- description: Fingerprints active in the window that are quiet most of the time: at least min_recent errors in the window and at most max_active active minutes since history_from. The emerging-pattern detector reads their minute series next.
-- param: history_from DateTime -- start of the history looked at
-- param: window_from DateTime -- start of the window
-- param: now DateTime -- evaluation time (exclusive)
-- param: min_recent UInt64 -- least errors in the window
-- param: max_active UInt64 -- most minutes with errors in the history
SELECT fingerprint, sumIf(n, minute >= @window_from) AS recent, count() AS active_minutes, sum(n) AS total
FROM
(
    SELECT fingerprint, minute, countMerge(errors) AS n
    FROM errors_1m
    WHERE minute >= @history_from AND minute < @now
    GROUP BY fingerprint, minute
)
GROUP BY fingerprint
HAVING recent >= @min_recent AND active_minutes <= @max_active
