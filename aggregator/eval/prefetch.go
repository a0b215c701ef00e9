package eval

import (
	"context"
	"fmt"
	"time"

	"github.com/opswarehouse/opswarehouse/aggregator/detect"
	"github.com/opswarehouse/opswarehouse/aggregator/finding"
)

// prefetcher runs the detectors' ClickHouse work for upcoming ticks on a
// few goroutines while the runner applies earlier ones in order: only
// correlation with the open findings has to wait for the previous tick.
// It implements runner.Detector for ticks asked for in order.
type prefetcher struct {
	results map[time.Time]chan prefetched // written before the workers start, then only read
}

type prefetched struct {
	det *detect.Detected
	err error
}

// newPrefetcher starts detecting ticks from..to (step apart) with workers
// goroutines, each with its own Detectors.
func newPrefetcher(ctx context.Context, cfg detect.Config, q detect.Querier, from, to time.Time, step time.Duration, workers int) (*prefetcher, error) {
	type job struct {
		t  time.Time
		ch chan prefetched
	}
	p := &prefetcher{results: map[time.Time]chan prefetched{}}
	var order []job
	for t := from; !t.After(to); t = t.Add(step) {
		j := job{t, make(chan prefetched, 1)}
		order = append(order, j)
		p.results[t] = j.ch
	}
	jobs := make(chan job)
	for i := 0; i < workers; i++ {
		d, err := detect.New(cfg, q)
		if err != nil {
			return nil, err
		}
		go func() {
			for j := range jobs {
				det, err := d.Detect(ctx, j.t)
				j.ch <- prefetched{det, err}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, j := range order {
			select {
			case jobs <- j:
			case <-ctx.Done():
				return
			}
		}
	}()
	return p, nil
}

// Evaluate returns the findings of a prefetched tick.
func (p *prefetcher) Evaluate(ctx context.Context, now time.Time, open []finding.Finding) ([]finding.Finding, error) {
	ch, ok := p.results[now]
	if !ok {
		return nil, fmt.Errorf("tick %s was not prefetched", now.Format(time.RFC3339))
	}
	select {
	case r := <-ch:
		if r.err != nil {
			return nil, r.err
		}
		return r.det.Findings(open), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
