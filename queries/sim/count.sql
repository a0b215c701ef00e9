-- name: sim_count
-- description: Events matching a simulator signature filter, counted by a dimension (sim.Observations.Count).
-- param: dim String -- '', tenant, cell, host, version or minute (key: unix seconds of the minute)
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
SELECT
    multiIf(@dim = 'tenant', tenant, @dim = 'cell', cell, @dim = 'host', host, @dim = 'version', version,
            @dim = 'minute', toString(toUInt64(toStartOfMinute(ts))), '') AS key,
    uniqExact(event_id) AS n
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
GROUP BY key
