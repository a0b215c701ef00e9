package chaos

import (
	"context"
	"fmt"
	"os/exec"
	"sort"
	"sync"
	"time"

	"github.com/opswarehouse/opswarehouse/queries"
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
	// Kills take turns, so each one kills a different process: two kills
	// of one process would count a kill that tested nothing.
	var killing sync.Mutex
	for i := 0; i < r.cfg.Kills; i++ {
		at := time.Duration(float64(d) * (0.05 + 0.9*r.rng.Float64()))
		pause := time.Duration(500+r.rng.IntN(2500)) * time.Millisecond
		lag := time.Duration(r.rng.IntN(500)) * time.Millisecond
		faults = append(faults, fault{at, "sigkill ingester", func() error {
			killing.Lock()
			defer killing.Unlock()
			if err := r.awaitInsert(ctx, lag); err != nil {
				return err
			}
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
		// The ingester restarts while the broker is down, as both do when
		// their machine reboots: it must wait for Kafka, not give up.
		faults = append(faults, fault{time.Duration(float64(d) * 0.7), "restart kafka and the ingester", func() error {
			if err := r.services("stop", "kafka"); err != nil {
				return err
			}
			killing.Lock()
			r.ingest.kill()
			err := r.ingest.start()
			killing.Unlock()
			if err != nil {
				return err
			}
			time.Sleep(2 * time.Second)
			return r.services("start", "kafka")
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

// awaitInsert waits, for at most insertWait, until the running ingester
// stores a new batch, then lag more: a kill while it is still joining its
// group tests nothing, a kill soon after an insert (before its offsets are
// committed) is the moment exactly-once must survive.
// ClickHouse may be down (another fault): an unanswered count is no insert.
func (r *run) awaitInsert(ctx context.Context, lag time.Duration) error {
	rows0, err0 := r.storedRows(ctx)
	deadline := time.Now().Add(insertWait)
	for time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		rows, err := r.storedRows(ctx)
		if err == nil && err0 != nil {
			rows0, err0 = rows, nil
			continue
		}
		if err == nil && rows > rows0 {
			break
		}
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(lag):
		return nil
	}
}

// insertWait bounds how long a kill waits for an insert (the ingester may
// be idle at the end of the run, or retrying against a stopped ClickHouse).
const insertWait = 10 * time.Second

// storedRows counts the rows stored so far, duplicates included.
func (r *run) storedRows(ctx context.Context) (uint64, error) {
	rows, _, err := r.stored(ctx)
	return rows, err
}

// stored counts the rows stored so far and the distinct events among them.
func (r *run) stored(ctx context.Context) (rows, distinct uint64, err error) {
	q := queries.Get("ingest_counts")
	if err := r.conn.QueryRow(ctx, q.SQL, q.MustBind(queries.Named("topic", r.topic))...).Scan(&rows, &distinct); err != nil {
		return 0, 0, fmt.Errorf("counting stored events: %w", err)
	}
	return rows, distinct, nil
}

func (r *run) services(args ...string) error {
	out, err := exec.Command(r.cfg.Services, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %v: %w\n%s", r.cfg.Services, args, err, out)
	}
	return nil
}
