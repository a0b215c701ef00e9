-- name: detect_fingerprint_dimensions
-- description: Errors of the given fingerprints in the window and in the baseline by each attribution dimension (tenant, cell, version, host, service, job type, integration): where a failure pattern's increase is concentrated.
-- param: fingerprints Array(UInt64) -- the fingerprints
-- param: base_from DateTime -- start of the baseline
-- param: window_from DateTime -- start of the window, end of the baseline
-- param: now DateTime -- evaluation time (exclusive)
SELECT fingerprint, dim, value, sum(n_now) AS errors_now, sum(n_base) AS errors_base
FROM
(
    SELECT
        fingerprint, tenant, cell, version, host, service, job_type, integration,
        countMergeIf(errors, minute >= @window_from) AS n_now,
        countMergeIf(errors, minute < @window_from) AS n_base
    FROM errors_1m
    WHERE minute >= @base_from AND minute < @now AND has(@fingerprints, fingerprint)
    GROUP BY fingerprint, tenant, cell, version, host, service, job_type, integration
)
ARRAY JOIN
    ['tenant', 'cell', 'version', 'host', 'service', 'job_type', 'integration'] AS dim,
    [tenant, cell, version, host, service, job_type, integration] AS value
GROUP BY fingerprint, dim, value
