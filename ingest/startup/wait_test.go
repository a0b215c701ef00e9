package startup

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"
)

func TestWait(t *testing.T) {
	down := errors.New("connection refused")
	tests := []struct {
		name      string
		failures  int
		wait      time.Duration
		cancelled bool
		wantErr   bool
		minCalls  int
		maxCalls  int
	}{
		{name: "up at once", failures: 0, wait: time.Second, minCalls: 1, maxCalls: 1},
		{name: "up after two refusals", failures: 2, wait: 5 * time.Second, minCalls: 3, maxCalls: 3},
		// Jittered delays: 125–375ms, then 250–750ms, so two or three tries fit.
		{name: "gives up after wait", failures: 100, wait: 600 * time.Millisecond, wantErr: true, minCalls: 2, maxCalls: 3},
		{name: "context ended", failures: 100, wait: time.Minute, cancelled: true, wantErr: true, minCalls: 1, maxCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancelled {
				cancel()
			}
			calls, began := 0, time.Now()
			err := Wait(ctx, tt.wait, slog.New(slog.NewTextHandler(io.Discard, nil)), "the broker", func() error {
				calls++
				if calls <= tt.failures {
					return down
				}
				return nil
			})
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if tt.wantErr && !errors.Is(err, down) && !errors.Is(err, context.Canceled) {
				t.Errorf("err = %v, want it to wrap the last failure", err)
			}
			if calls < tt.minCalls || calls > tt.maxCalls {
				t.Errorf("calls = %d, want %d to %d", calls, tt.minCalls, tt.maxCalls)
			}
			if took := time.Since(began); took > tt.wait {
				t.Errorf("took %v, longer than the wait %v", took, tt.wait)
			}
		})
	}
}
