-- name: sim_quantile
-- description: The exact quantile of queue_ms or duration_ms over events matching a simulator signature filter (sim.Observations.Quantile).
-- param: field String -- queue_ms or duration_ms
-- param: q Float64 -- the quantile, 0..1
-- param: from_ms UInt64 -- first event time, unix ms (inclusive)
-- param: to_ms UInt64 -- end, unix ms (exclusive); 0: unbounded
-- param: tenant String -- empty: any
-- param: not_tenant String -- empty: exclude none
-- param: cell String
-- param: not_cell String
-- param: host String
-- param: version String
-- param: service String
-- param: route String
-- param: job_type String
-- param: endpoint String -- attrs endpoint
-- param: integration String
-- param: kind String
-- param: state String
-- param: status UInt16 -- 0: any
-- param: errors_only UInt8 -- 1: only events that record a failure
-- param: error_class String
-- param: message_prefix String -- error_message starts with it
-- param: min_attempt UInt16
-- The exact quantile is the floor(q*n)-th smallest value, read from the
-- sorted array: ClickHouse 18.16 takes no bound value as a quantile level.
SELECT
    count() AS n,
    toFloat64(arrayElement(arraySort(groupArray(if(@field = 'queue_ms', queue_ms, duration_ms))),
                           toUInt64(greatest(least(floor(@q * count()), toFloat64(count()) - 1), 0)) + 1)) AS v
FROM events
WHERE toUInt64(ts) * 1000 + ts_ms >= @from_ms
  AND (@to_ms = 0 OR toUInt64(ts) * 1000 + ts_ms < @to_ms)
  AND (@tenant = '' OR tenant = @tenant)
  AND (@not_tenant = '' OR tenant != @not_tenant)
  AND (@cell = '' OR cell = @cell)
  AND (@not_cell = '' OR cell != @not_cell)
  AND (@host = '' OR host = @host)
  AND (@version = '' OR version = @version)
  AND (@service = '' OR service = @service)
  AND (@route = '' OR route = @route)
  AND (@job_type = '' OR job_type = @job_type)
  AND (@endpoint = '' OR attr_values[indexOf(attr_keys, 'endpoint')] = @endpoint)
  AND (@integration = '' OR integration = @integration)
  AND (@kind = '' OR kind = @kind)
  AND (@state = '' OR state = @state)
  AND (@status = 0 OR status = @status)
  AND (@errors_only = 0 OR is_error = 1)
  AND (@error_class = '' OR error_class = @error_class)
  AND (@message_prefix = '' OR substring(error_message, 1, length(@message_prefix)) = @message_prefix)
  AND attempt >= @min_attempt
