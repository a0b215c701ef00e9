-- name: detect_started_attempts
-- description: Job attempts started in [from, until) per cell, host and job type: how many attempts each host ran, the denominator of how often a job type's attempts run long anyway (stuck jobs).
-- param: from DateTime -- oldest start minute looked at
-- param: until DateTime -- youngest start minute (exclusive)
SELECT
    cell,
    host,
    job_type,
    toInt64(sumIf(attempts, end_minute = toDateTime(0))) AS started
FROM job_attempts_1m
WHERE start_minute >= @from AND start_minute < @until
GROUP BY cell, host, job_type
HAVING started > 0
