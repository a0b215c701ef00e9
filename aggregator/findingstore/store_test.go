package findingstore_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/opswarehouse/opswarehouse/aggregator/finding"
	"github.com/opswarehouse/opswarehouse/aggregator/findingstore"
	"github.com/opswarehouse/opswarehouse/ingest/schema"
	"github.com/opswarehouse/opswarehouse/ingest/testenv"
)

var t0 = time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)

func tick(n int) time.Time { return t0.Add(time.Duration(n) * time.Minute) }

func storm(tenant string) finding.Finding {
	return finding.Finding{
		Key: "retry_storm/tenant=" + tenant, Kind: finding.RetryStorm, Severity: finding.Critical, Summary: "storm",
		Scope:    finding.Scope{Tenants: []string{tenant}, CulpritTenant: tenant},
		Evidence: []finding.Evidence{{Name: "retries_now", Value: 120}},
	}
}

func newStore(tb testing.TB) (*findingstore.Store, *testenv.CH) {
	tb.Helper()
	ch := testenv.ClickHouse(tb)
	if err := schema.Migrate(context.Background(), ch.Conn, schema.DefaultConfig(), slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		tb.Fatal(err)
	}
	return findingstore.New(ch.Conn, 3*time.Minute), ch
}

// apply runs one tick the way the runner does.
func apply(tb testing.TB, s *findingstore.Store, n int, detected ...finding.Finding) []finding.Finding {
	tb.Helper()
	ctx := context.Background()
	open, err := s.Open(ctx, tick(n))
	if err != nil {
		tb.Fatal(err)
	}
	written, err := s.Apply(ctx, tick(n), detected, open)
	if err != nil {
		tb.Fatal(err)
	}
	return written
}

// TestLifecycle: a finding opens, stays one finding with its first_seen
// while seen, survives a gap shorter than ResolveAfter, resolves after a
// longer one, and a recurrence is a new finding with the same key.
func TestLifecycle(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	steps := []struct {
		tick      int
		detected  bool
		wantState finding.State // of the version written, "" for none
	}{
		{0, true, finding.Open}, {1, true, finding.Open}, {2, false, ""}, {3, true, finding.Open},
		{4, false, ""}, {5, false, ""}, {6, false, finding.Resolved}, {7, false, ""}, {9, true, finding.Open},
	}
	for _, st := range steps {
		var det []finding.Finding
		if st.detected {
			det = append(det, storm("t-1"))
		}
		written := apply(t, s, st.tick, det...)
		var got finding.State
		if len(written) == 1 {
			got = written[0].State
		}
		if len(written) > 1 || got != st.wantState {
			t.Fatalf("tick %d: wrote %+v, want one version in state %q", st.tick, written, st.wantState)
		}
	}
	all, err := s.Range(ctx, tick(0), tick(10))
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 {
		t.Fatalf("%d findings, want the first episode and the recurrence: %+v", len(all), all)
	}
	first, second := all[0], all[1]
	if !first.FirstSeen.Equal(tick(0)) || !first.LastSeen.Equal(tick(3)) || first.State != finding.Resolved {
		t.Errorf("first episode %s..%s %s, want %s..%s resolved", first.FirstSeen, first.LastSeen, first.State, tick(0), tick(3))
	}
	if !second.FirstSeen.Equal(tick(9)) || second.State != finding.Open || second.Key != first.Key {
		t.Errorf("recurrence %+v, want open since %s with the same key", second, tick(9))
	}
	if len(second.Evidence) != 1 || second.Evidence[0].Value != 120 || second.Scope.CulpritTenant != "t-1" {
		t.Errorf("finding did not round-trip: %+v", second)
	}
}

// TestReplicasWriteOneFinding: two replicas evaluating the same ticks —
// in step, or one catching up after the other — leave one finding.
func TestReplicasWriteOneFinding(t *testing.T) {
	a, ch := newStore(t)
	b := findingstore.New(ch.Conn, 3*time.Minute)
	for n := 0; n < 4; n++ {
		apply(t, a, n, storm("t-1"))
		apply(t, b, n, storm("t-1")) // same tick, after a's writes
	}
	apply(t, a, 4, storm("t-1"), storm("t-2"))
	apply(t, a, 5, storm("t-2"))
	apply(t, b, 4, storm("t-1"), storm("t-2")) // b lags a tick behind
	apply(t, b, 5, storm("t-2"))
	all, err := a.Range(context.Background(), tick(0), tick(10))
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 {
		t.Fatalf("%d findings, want 2 (one per tenant): %+v", len(all), all)
	}
	for _, f := range all {
		want := map[string]time.Time{"retry_storm/tenant=t-1": tick(0), "retry_storm/tenant=t-2": tick(4)}[f.Key]
		if !f.FirstSeen.Equal(want) {
			t.Errorf("%s first seen %s, want %s", f.Key, f.FirstSeen, want)
		}
	}
}

// TestLastTick reads back the newest recorded tick.
func TestLastTick(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	if _, ok, err := s.LastTick(ctx, tick(-60)); err != nil || ok {
		t.Fatalf("empty log: ok=%v err=%v", ok, err)
	}
	for _, n := range []int{0, 2, 1} {
		if err := s.RecordTick(ctx, tick(n), time.Now(), "r1", 0, time.Millisecond); err != nil {
			t.Fatal(err)
		}
	}
	got, ok, err := s.LastTick(ctx, tick(-60))
	if err != nil || !ok || !got.Equal(tick(2)) {
		t.Fatalf("last tick %s ok=%v err=%v, want %s", got, ok, err, tick(2))
	}
}
