-- name: detect_fingerprint_minutes
-- description: Errors per minute of the given fingerprints since a time: their history (never seen before? bursts arriving ever closer?).
-- param: fingerprints Array(UInt64) -- the fingerprints
-- param: from DateTime -- first minute
-- param: now DateTime -- evaluation time (exclusive)
SELECT fingerprint, minute, countMerge(errors) AS errors
FROM errors_1m
WHERE minute >= @from AND minute < @now AND has(@fingerprints, fingerprint)
GROUP BY fingerprint, minute
ORDER BY fingerprint, minute
