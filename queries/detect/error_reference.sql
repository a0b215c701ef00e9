-- name: detect_error_reference
-- description: Errors of every other fingerprint in a period by attribution dimension: the reference a failure pattern's concentration is compared with (over-representation, BubbleUp-style).
-- param: fingerprints Array(UInt64) -- the fingerprints to leave out
-- param: from DateTime -- start of the period
-- param: now DateTime -- evaluation time (exclusive)
SELECT dim, value, sum(n) AS errors
FROM
(
    SELECT tenant, cell, version, host, service, job_type, integration, countMerge(errors) AS n
    FROM errors_1m
    WHERE minute >= @from AND minute < @now AND NOT has(@fingerprints, fingerprint)
    GROUP BY tenant, cell, version, host, service, job_type, integration
)
ARRAY JOIN
    ['tenant', 'cell', 'version', 'host', 'service', 'job_type', 'integration'] AS dim,
    [tenant, cell, version, host, service, job_type, integration] AS value
GROUP BY dim, value
