package ingester

import (
	"context"
	"sync/atomic"
	"time"
)

// coarseClock is the time to within its tick, read with one atomic load.
// Reading the system clock for every message was a few percent of the
// ingester's CPU, and what the time is used for per message (bounding event
// timestamps to minutes, dating dead letters and batch ages) needs no more
// than milliseconds.
type coarseClock struct {
	nanos atomic.Int64
}

const clockTick = 5 * time.Millisecond

func (c *coarseClock) run(ctx context.Context, now func() time.Time) {
	t := time.NewTicker(clockTick)
	defer t.Stop()
	for {
		c.nanos.Store(now().UnixNano())
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// now is the last tick's time, or the system clock if the clock is not
// running.
func (c *coarseClock) now(fallback func() time.Time) time.Time {
	if n := c.nanos.Load(); n != 0 {
		return time.Unix(0, n)
	}
	return fallback()
}
