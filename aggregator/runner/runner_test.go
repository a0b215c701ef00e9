package runner

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/opswarehouse/opswarehouse/aggregator/finding"
)

var t0 = time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)

type fakeDetector struct {
	failAt time.Time
	seen   []time.Time
}

func (d *fakeDetector) Evaluate(_ context.Context, now time.Time, _ []finding.Finding) ([]finding.Finding, error) {
	if now.Equal(d.failAt) {
		d.failAt = time.Time{} // fails once
		return nil, errors.New("clickhouse away")
	}
	d.seen = append(d.seen, now)
	return []finding.Finding{{Key: "k", Kind: finding.StuckJobs}}, nil
}

type fakeStore struct {
	ticks []time.Time
	open  []finding.Finding
}

func (s *fakeStore) Open(context.Context, time.Time) ([]finding.Finding, error) { return s.open, nil }
func (s *fakeStore) Apply(_ context.Context, tick time.Time, detected, _ []finding.Finding) ([]finding.Finding, error) {
	return detected, nil
}
func (s *fakeStore) LastTick(context.Context, time.Time) (time.Time, bool, error) {
	if len(s.ticks) == 0 {
		return time.Time{}, false, nil
	}
	return s.ticks[len(s.ticks)-1], true, nil
}
func (s *fakeStore) RecordTick(_ context.Context, tick, _ time.Time, _ string, _ int, _ time.Duration) error {
	s.ticks = append(s.ticks, tick)
	return nil
}

type fakeNotifier struct{ got [][]finding.Finding }

func (n *fakeNotifier) Sync(_ context.Context, fs []finding.Finding) error {
	n.got = append(n.got, fs)
	return nil
}

func newRunner(t *testing.T, d Detector, s Store, n Notifier, wall time.Time) *Runner {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Replica = "r1"
	r, err := New(cfg, d, s, n, slog.New(slog.NewTextHandler(io.Discard, nil)), NewMetrics(nil))
	if err != nil {
		t.Fatal(err)
	}
	r.now = func() time.Time { return wall }
	return r
}

// TestCatchUpEvaluatesEveryTickInOrder: a replica resumes after the newest
// recorded tick, evaluates each minute up to wall clock minus the settle
// lag, and retries a failed tick before any later one.
func TestCatchUpEvaluatesEveryTickInOrder(t *testing.T) {
	d := &fakeDetector{failAt: t0.Add(3 * time.Minute)}
	s := &fakeStore{ticks: []time.Time{t0}}
	n := &fakeNotifier{}
	r := newRunner(t, d, s, n, t0.Add(5*time.Minute+30*time.Second)) // settle lag 1m: target t0+4m
	if err := r.catchUp(context.Background()); err == nil {
		t.Fatal("a failing tick did not fail the catch-up")
	}
	if err := r.catchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := []time.Time{t0.Add(time.Minute), t0.Add(2 * time.Minute), t0.Add(3 * time.Minute), t0.Add(4 * time.Minute)}
	if len(d.seen) != len(want) {
		t.Fatalf("evaluated %v, want %v", d.seen, want)
	}
	for i := range want {
		if !d.seen[i].Equal(want[i]) || !s.ticks[i+1].Equal(want[i]) {
			t.Fatalf("evaluated %v, recorded %v, want %v", d.seen, s.ticks, want)
		}
	}
	if len(n.got) != 4 || len(n.got[0]) != 1 {
		t.Errorf("notified %d times, want once per tick with the open finding", len(n.got))
	}
}

// TestFreshStartEvaluatesOnlyTheCurrentTick: with no recorded tick a
// replica does not replay the whole catch-up window.
func TestFreshStartEvaluatesOnlyTheCurrentTick(t *testing.T) {
	d := &fakeDetector{}
	r := newRunner(t, d, &fakeStore{}, nil, t0.Add(90*time.Second))
	if err := r.catchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(d.seen) != 1 || !d.seen[0].Equal(t0) {
		t.Fatalf("evaluated %v, want only %s", d.seen, t0)
	}
}

// TestAfterTickKeepsUnseenOpenFindings: the notifier hears about open
// findings a tick did not see again (not yet resolved) as well.
func TestAfterTickKeepsUnseenOpenFindings(t *testing.T) {
	open := []finding.Finding{{Key: "a"}, {Key: "b"}}
	written := []finding.Finding{{Key: "a", State: finding.Open}, {Key: "c", State: finding.Open}}
	got := afterTick(open, written)
	keys := map[string]bool{}
	for _, f := range got {
		keys[f.Key] = true
	}
	if len(got) != 3 || !keys["a"] || !keys["b"] || !keys["c"] {
		t.Errorf("after tick %v, want a, b and c once each", got)
	}
}
