package runner

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/opswarehouse/opswarehouse/aggregator/finding"
)

// Detector evaluates one tick given the findings open before it.
type Detector interface {
	Evaluate(ctx context.Context, now time.Time, open []finding.Finding) ([]finding.Finding, error)
}

// Store keeps findings and the tick log.
type Store interface {
	Open(ctx context.Context, tick time.Time) ([]finding.Finding, error)
	Apply(ctx context.Context, tick time.Time, detected, open []finding.Finding) ([]finding.Finding, error)
	LastTick(ctx context.Context, since time.Time) (time.Time, bool, error)
	RecordTick(ctx context.Context, tick, evaluatedAt time.Time, replica string, findings int, took time.Duration) error
}

// Notifier receives, after every tick, every open finding and those that
// resolved at the tick (aggregator/alert's Notifier is one). It may be nil.
type Notifier interface {
	Sync(ctx context.Context, fs []finding.Finding) error
}

// Runner evaluates ticks.
type Runner struct {
	cfg    Config
	det    Detector
	store  Store
	notify Notifier
	log    *slog.Logger
	m      *Metrics
	now    func() time.Time
}

// New returns a runner; notify may be nil.
func New(cfg Config, det Detector, store Store, notify Notifier, log *slog.Logger, m *Metrics) (*Runner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Runner{cfg: cfg, det: det, store: store, notify: notify, log: log, m: m, now: time.Now}, nil
}

// Tick evaluates one tick: reads the open findings, runs the detectors,
// writes the transitions, records the tick and notifies. It returns the
// versions written.
func (r *Runner) Tick(ctx context.Context, tick time.Time) ([]finding.Finding, error) {
	began := r.now()
	open, err := r.store.Open(ctx, tick)
	if err != nil {
		return nil, err
	}
	detected, err := r.det.Evaluate(ctx, tick, open)
	if err != nil {
		return nil, err
	}
	written, err := r.store.Apply(ctx, tick, detected, open)
	if err != nil {
		return nil, err
	}
	took := r.now().Sub(began)
	if err := r.store.RecordTick(ctx, tick, r.now(), r.cfg.Replica, len(detected), took); err != nil {
		return written, err
	}
	r.m.tickSeconds.Observe(took.Seconds())
	r.m.ticks.WithLabelValues("evaluated").Inc()
	r.m.written(written)
	if r.notify != nil {
		if err := r.notify.Sync(ctx, afterTick(open, written)); err != nil {
			r.log.Warn("notifying findings", "tick", tick, "err", err)
		}
	}
	return written, nil
}

// afterTick is the findings as they stand after a tick: the versions just
// written (opened, seen, resolved) and the open ones it left unchanged
// (unseen for less than ResolveAfter).
func afterTick(open, written []finding.Finding) []finding.Finding {
	out := append([]finding.Finding(nil), written...)
	seen := make(map[string]bool, len(written))
	for _, f := range written {
		seen[f.Key] = true
	}
	for _, f := range open {
		if !seen[f.Key] {
			out = append(out, f)
		}
	}
	return out
}

// Run evaluates every tick from where the replicas left off (at most
// CatchUp back) up to the wall clock minus SettleLag, then each new minute,
// until ctx ends. A failed tick is retried on the next loop: ticks are
// evaluated in order, so a later one never runs before an earlier one.
func (r *Runner) Run(ctx context.Context) error {
	for {
		if err := r.catchUp(ctx); err != nil {
			r.m.ticks.WithLabelValues("failed").Inc()
			r.log.Error("evaluating", "err", err)
		}
		next := r.target().Add(time.Minute).Add(r.cfg.SettleLag)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(max(time.Until(next), time.Second)):
		}
	}
}

// target is the newest tick whose data has settled.
func (r *Runner) target() time.Time {
	return r.now().Add(-r.cfg.SettleLag).UTC().Truncate(time.Minute)
}

func (r *Runner) catchUp(ctx context.Context) error {
	target := r.target()
	oldest := target.Add(-r.cfg.CatchUp)
	last, ok, err := r.store.LastTick(ctx, oldest)
	if err != nil {
		return err
	}
	next := oldest
	if ok {
		next = last.Add(time.Minute)
	} else if r.cfg.BackfillFrom > 0 {
		next = target.Add(-min(r.cfg.BackfillFrom, r.cfg.CatchUp))
	} else {
		r.m.ticks.WithLabelValues("skipped").Inc()
		next = target
	}
	for t := next; !t.After(target); t = t.Add(time.Minute) {
		if ctx.Err() != nil {
			return nil
		}
		if _, err := r.Tick(ctx, t); err != nil {
			return fmt.Errorf("tick %s: %w", t.Format(time.RFC3339), err)
		}
		r.m.lag.Set(r.now().Sub(t).Seconds())
	}
	return nil
}
