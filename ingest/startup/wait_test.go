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
		wantCalls int
	}{
		{name: "up at once", failures: 0, wait: time.Second, wantCalls: 1},
		{name: "up after two refusals", failures: 2, wait: 5 * time.Second, wantCalls: 3},
		{name: "gives up after wait", failures: 100, wait: 600 * time.Millisecond, wantErr: true, wantCalls: 2},
		{name: "context ended", failures: 100, wait: time.Minute, cancelled: true, wantErr: true, wantCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancelled {
				cancel()
			}
			calls := 0
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
			if calls != tt.wantCalls {
				t.Errorf("calls = %d, want %d", calls, tt.wantCalls)
			}
		})
	}
}
