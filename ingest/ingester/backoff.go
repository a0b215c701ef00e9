package ingester

import (
	"context"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// retryBackoff waits between retries: exponential with jitter (from
// cenkalti/backoff), interruptible by ctx.
type retryBackoff struct{ b *backoff.ExponentialBackOff }

func newBackoff(min, max time.Duration) *retryBackoff {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval, b.MaxInterval = min, max
	return &retryBackoff{b: b}
}

func (r *retryBackoff) reset() { r.b.Reset() }

// wait sleeps for the next interval; it returns false if ctx ended first.
func (r *retryBackoff) wait(ctx context.Context) bool {
	t := time.NewTimer(r.b.NextBackOff())
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
