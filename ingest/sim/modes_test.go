package sim

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/opswarehouse/opswarehouse/ingest/event"
)

// clockSink records, for every event, how far its timestamp is ahead of
// the wall clock when it is emitted.
type clockSink struct {
	mu       sync.Mutex
	n        int
	maxAhead time.Duration
	first    time.Time
	last     time.Time
}

func (c *clockSink) Emit(_ context.Context, ev *event.Event) error {
	now := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	if ahead := ev.Time.Sub(now); ahead > c.maxAhead {
		c.maxAhead = ahead
	}
	if c.first.IsZero() || ev.Time.Before(c.first) {
		c.first = ev.Time
	}
	if ev.Time.After(c.last) {
		c.last = ev.Time
	}
	return nil
}

func runMode(t *testing.T, cfg Config) (*clockSink, time.Duration, *Simulator) {
	t.Helper()
	s, err := New(cfg, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	sink := &clockSink{}
	start := time.Now()
	if err := s.Run(context.Background(), sink, nil); err != nil {
		t.Fatal(err)
	}
	return sink, time.Since(start), s
}

// Real time: the run takes its duration, events are emitted once their
// time has come, and they cover the run.
func TestRealtimeMode(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Mode, cfg.Duration, cfg.Rate, cfg.Tenants = ModeRealtime, 2*time.Second, 2000, 50
	sink, took, s := runMode(t, cfg)
	if took < cfg.Duration-100*time.Millisecond {
		t.Errorf("a %s realtime run took %s", cfg.Duration, took)
	}
	if sink.maxAhead > 0 {
		t.Errorf("an event was emitted %s before its time", sink.maxAhead)
	}
	if sink.first.Before(s.Start()) || sink.last.After(s.End()) || sink.n < 1000 {
		t.Errorf("%d events from %s to %s, run %s to %s", sink.n, sink.first, sink.last, s.Start(), s.End())
	}
}

// Accelerated: simulated time runs speed times faster, ends at the moment
// the run started, and never runs ahead of the wall clock.
func TestAcceleratedMode(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Mode, cfg.Duration, cfg.Speed, cfg.Rate, cfg.Tenants = ModeAccelerated, 10*time.Minute, 600, 50, 50
	before := time.Now()
	sink, took, s := runMode(t, cfg)
	if want := time.Duration(float64(cfg.Duration) / cfg.Speed); took < want-100*time.Millisecond {
		t.Errorf("accelerated run took %s, the schedule says at least %s", took, want)
	}
	if end := s.End(); end.Before(before) || end.After(before.Add(time.Second)) {
		t.Errorf("accelerated run ends at %s, want when it started (%s)", end, before)
	}
	if sink.maxAhead > 0 {
		t.Errorf("an event was %s in the future", sink.maxAhead)
	}
	if sink.n == 0 {
		t.Error("no events")
	}
}

// A realtime run without a duration runs until stopped, and stopping it is
// not an error.
func TestOpenEndedRunStops(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Mode, cfg.Duration, cfg.Rate, cfg.Tenants = ModeRealtime, 0, 500, 30
	s, err := New(cfg, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if err := s.Run(ctx, Discard{}, nil); err != nil {
		t.Fatalf("stopping an open-ended run: %v", err)
	}
	if s.Stats().Events == 0 {
		t.Error("no events before the stop")
	}
}
