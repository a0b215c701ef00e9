-- name: detect_tenant_usual_requests
-- description: The given tenants' usual request rate before the window: the median of their requests per minute over the minutes they sent any, and how many such minutes there were. A flood that has filled its own baseline still rises against it while it is shorter than half the history.
-- param: tenants Array(String) -- the tenants
-- param: from DateTime -- start of the history
-- param: window_from DateTime -- start of the window, end of the history looked at
SELECT
    tenant,
    quantileExact(0.5)(toFloat64(n)) AS usual_per_minute,
    count() AS minutes
FROM
(
    SELECT tenant, minute, countMerge(events) AS n
    FROM usage_1m
    WHERE kind = 'request' AND minute >= @from AND minute < @window_from AND has(@tenants, tenant)
    GROUP BY tenant, minute
)
GROUP BY tenant
