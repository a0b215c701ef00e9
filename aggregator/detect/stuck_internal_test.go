package detect

import "testing"

// Run times from a few minutes of history are only the short ones: stuck
// jobs wait for a full baseline (the detector returns before any query).
func TestStuckJobsWaitForAFullBaseline(t *testing.T) {
	cfg := DefaultConfig()
	for _, tt := range []struct {
		minutes uint64
		ready   bool
	}{{6, false}, {44, false}, {45, true}, {60, true}} {
		e := &env{cfg: &cfg, tr: traffic{MinutesBase: tt.minutes, EventsBase: 1000}}
		if got := e.fullBaseline(); got != tt.ready {
			t.Errorf("%d minutes of baseline: full = %v, want %v", tt.minutes, got, tt.ready)
		}
		if !tt.ready {
			if cs, err := stuckJobs(e); cs != nil || err != nil {
				t.Errorf("%d minutes of baseline: stuck jobs ran: %v, %v", tt.minutes, cs, err)
			}
		}
	}
}
