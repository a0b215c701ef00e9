-- name: detect_fingerprint_rates
-- description: Errors per fingerprint in the detection window and in the baseline before it, with the tenants hit and the minutes active in each; fingerprints with fewer than min_errors errors in the window are left out.
-- param: base_from DateTime -- start of the baseline
-- param: window_from DateTime -- start of the window, end of the baseline
-- param: now DateTime -- evaluation time, end of the window (exclusive)
-- param: min_errors UInt64 -- least errors in the window
SELECT
    fingerprint,
    sumIf(n, minute >= @window_from) AS errors_now,
    sumIf(n, minute < @window_from) AS errors_base,
    uniqExactIf(tenant, minute >= @window_from) AS tenants_now,
    uniqExactIf(tenant, minute < @window_from) AS tenants_base,
    uniqExactIf(minute, minute >= @window_from) AS minutes_now,
    any(tmpl) AS template
FROM
(
    SELECT minute, fingerprint, tenant, countMerge(errors) AS n, anyMerge(template) AS tmpl
    FROM errors_1m
    WHERE minute >= @base_from AND minute < @now
    GROUP BY minute, fingerprint, tenant
)
GROUP BY fingerprint
HAVING errors_now >= @min_errors
ORDER BY errors_now DESC
