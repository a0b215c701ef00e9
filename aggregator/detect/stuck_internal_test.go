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

// A host is stuck when more of its attempts are still running than the job
// types' tails leave running on healthy hosts.
func TestStuckAgainstTheTail(t *testing.T) {
	cfg := DefaultConfig()
	// The reference: two cells, 10 000 attempts of each type started on
	// cell-1's hosts; report exports leave a few running for an hour anyway.
	ref := func(exportOpenElsewhere float64) *tailReference {
		return &tailReference{
			started:     map[string]float64{"report.export": 10300, "email.send": 10300},
			open:        map[string]float64{"report.export": exportOpenElsewhere + 3, "email.send": 3},
			cellStarted: map[[2]string]float64{{"cell-2", "report.export"}: 300, {"cell-2", "email.send"}: 300},
			cellOpen:    map[[2]string]float64{{"cell-2", "report.export"}: 3, {"cell-2", "email.send"}: 3},
			hostStarted: map[string]map[string]float64{"h1": {"report.export": 300, "email.send": 300}},
		}
	}
	host := func(jobType string, open float64) *stuckHost {
		return &stuckHost{cell: "cell-2", host: "h1", byAge: []float64{open}, jobTypes: map[string]float64{jobType: open}}
	}
	tests := []struct {
		name  string
		ref   *tailReference
		host  *stuckHost
		stuck bool
	}{
		{"3 exports running long where other cells have some too", ref(5), host("report.export", 3), false},
		{"3 e-mails running long where they always end", ref(5), host("email.send", 3), true},
		{"3 exports running long where they always end", ref(0), host("report.export", 3), true},
		{"hundreds of exports on a hung host", ref(5), host("report.export", 200), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logP := tt.ref.tailLogP(tt.host)
			if got := logP <= cfg.MaxLogP; got != tt.stuck {
				t.Fatalf("stuck = %v (log p %.1f), want %v", got, logP, tt.stuck)
			}
		})
	}
}
