package detect

import (
	"context"
	"time"

	"github.com/opswarehouse/opswarehouse/queries"
)

// minuteCount is one minute of a fingerprint's errors.
type minuteCount struct {
	Fingerprint uint64    `ch:"fingerprint"`
	Minute      time.Time `ch:"minute"`
	Errors      uint64    `ch:"errors"`
}

// burst is a run of active minutes with no quiet gap of gapMinutes or more.
type burst struct {
	Start, End time.Time // first and last active minute
	Errors     uint64
}

// bursts splits a fingerprint's active minutes (ascending) into bursts.
func bursts(ms []minuteCount, gapMinutes int) []burst {
	var out []burst
	for _, m := range ms {
		if n := len(out); n > 0 && m.Minute.Sub(out[n-1].End) < time.Duration(gapMinutes+1)*time.Minute {
			out[n-1].End = m.Minute
			out[n-1].Errors += m.Errors
			continue
		}
		out = append(out, burst{Start: m.Minute, End: m.Minute, Errors: m.Errors})
	}
	return out
}

// minuteHistory reads the minute series of fingerprints over [from, now).
func minuteHistory(ctx context.Context, q Querier, fps []uint64, from, now time.Time) (map[uint64][]minuteCount, error) {
	out := map[uint64][]minuteCount{}
	if len(fps) == 0 {
		return out, nil
	}
	args := []queries.Arg{queries.Named("fingerprints", fps), queries.Named("from", from), queries.Named("now", now)}
	err := each(ctx, q, "detect_fingerprint_minutes", args, func(r *minuteCount) {
		r.Minute = r.Minute.UTC()
		out[r.Fingerprint] = append(out[r.Fingerprint], *r)
	})
	return out, err
}
