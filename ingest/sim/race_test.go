package sim

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"
)

// TestParallelRunWithProgress exercises two workers, scenario changes
// between ticks and the progress reporter together (run it with -race).
func TestParallelRunWithProgress(t *testing.T) {
	cfg := streamConfig()
	cfg.Workers = 2
	s, err := New(cfg, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.ReportProgress(ctx, io.Discard, time.Millisecond)
	store := NewMemStore()
	if err := s.Run(ctx, store, io.Discard); err != nil {
		t.Fatal(err)
	}
	if uint64(store.Len()) != s.Stats().Events {
		t.Fatalf("store has %d events, the simulator counted %d", store.Len(), s.Stats().Events)
	}
	// a short low-rate mix squeezes incidents into minutes; most still hit someone
	hit := 0
	for _, tr := range s.Truth() {
		if len(tr.AffectedTenants) > 0 {
			hit++
		}
	}
	if hit < len(s.Truth())*7/10 {
		t.Errorf("only %d of %d scenarios affected any tenant", hit, len(s.Truth()))
	}
}
