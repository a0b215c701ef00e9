package chaos

import (
	"context"
	"fmt"
	"os/exec"
	"sort"
	"time"
)

// runFaults injects the configured faults at random moments of a window of
// length d (the production window), and returns when all are done.
func (r *run) runFaults(ctx context.Context, d time.Duration) error {
	type fault struct {
		at   time.Duration
		name string
		do   func() error
	}
	var faults []fault
	for i := 0; i < r.cfg.Kills; i++ {
		at := time.Duration(float64(d) * (0.05 + 0.9*r.rng.Float64()))
		pause := time.Duration(500+r.rng.IntN(2500)) * time.Millisecond
		faults = append(faults, fault{at, "sigkill ingester", func() error {
			r.ingest.kill()
			time.Sleep(pause)
			return r.ingest.start()
		}})
	}
	if r.cfg.ClickHouseDown > 0 {
		faults = append(faults, fault{time.Duration(float64(d) * 0.25), "stop clickhouse", func() error {
			if err := r.services("stop", "clickhouse"); err != nil {
				return err
			}
			time.Sleep(r.cfg.ClickHouseDown)
			return r.services("start", "clickhouse")
		}})
	}
	if r.cfg.RestartKafka {
		faults = append(faults, fault{time.Duration(float64(d) * 0.7), "restart kafka", func() error {
			return r.services("restart", "kafka")
		}})
	}
	sort.Slice(faults, func(i, j int) bool { return faults[i].at < faults[j].at })
	start := time.Now()
	errs := make(chan error, len(faults))
	for _, f := range faults {
		if wait := f.at - time.Since(start); wait > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(wait):
			}
		}
		r.log.Info("fault", "name", f.name, "at", time.Since(start).Round(time.Millisecond))
		go func() { errs <- f.do() }() // faults overlap, as real ones do
	}
	for range faults {
		if err := <-errs; err != nil {
			return err
		}
	}
	return nil
}

func (r *run) services(args ...string) error {
	out, err := exec.Command(r.cfg.Services, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %v: %w\n%s", r.cfg.Services, args, err, out)
	}
	return nil
}
