-- name: detect_open_attempts
-- description: Job attempts started in [from, until) and still running at now (no terminal event before now), per cell, host, job type and start minute: jobs stuck on a host.
-- param: from DateTime -- oldest start minute looked at
-- param: until DateTime -- youngest start minute (exclusive): now minus the first stuck age
-- param: now DateTime -- evaluation time (exclusive)
SELECT
    cell,
    host,
    job_type,
    start_minute,
    toInt64(sumIf(attempts, end_minute = toDateTime(0))) - toInt64(sumIf(attempts, end_minute != toDateTime(0) AND end_minute < @now)) AS open
FROM job_attempts_1m
WHERE start_minute >= @from AND start_minute < @until
GROUP BY cell, host, job_type, start_minute
HAVING open != 0
