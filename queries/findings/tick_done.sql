-- name: detector_tick_done
-- description: Whether an evaluation tick was recorded by any replica.
-- param: tick DateTime -- the tick
SELECT count() AS n
FROM detector_ticks
WHERE tick = @tick
