package detect

import (
	"testing"
	"time"
)

func TestFailingEndpoint(t *testing.T) {
	ep := func(name string, finished, failed uint64) endpointHealth {
		return endpointHealth{Cell: "cell-0", Tenant: "t-1", JobType: "webhook.deliver", Endpoint: name, FinishedNow: finished, FailedNow: failed}
	}
	tests := []struct {
		name string
		rows []endpointHealth
		want bool
	}{
		{"one endpoint: cannot tell", []endpointHealth{ep("orders", 12, 10)}, false},
		{"failures confined to one, the other delivers", []endpointHealth{ep("orders", 12, 10), ep("billing", 2, 0)}, true},
		{"concentrated, the other failing now and then", []endpointHealth{ep("orders", 20, 20), ep("billing", 15, 1)}, true},
		{"every endpoint failing alike: the jobs", []endpointHealth{ep("orders", 12, 10), ep("billing", 10, 8)}, false},
		{"the endpoint fails too little for its detector", []endpointHealth{ep("orders", 4, 4), ep("billing", 9, 0)}, false},
		{"another tenant's endpoint does not count", []endpointHealth{ep("orders", 12, 10), {Cell: "cell-0", Tenant: "t-2", JobType: "webhook.deliver", Endpoint: "x", FinishedNow: 9}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
			e := &env{cfg: &cfg, t: cfg.NewTick(now), endpoints: tt.rows, loadedEPs: true}
			got, err := e.failingEndpoint("t-1", "cell-0", "webhook.deliver")
			if err != nil || got != tt.want {
				t.Fatalf("failingEndpoint = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestEndpointSuspect(t *testing.T) {
	cfg := DefaultConfig()
	tests := []struct {
		name string
		r    endpointHealth
		want bool
	}{
		{"failing half its deliveries now", endpointHealth{FinishedNow: 10, FailedNow: 5}, true},
		{"failing half over the long window", endpointHealth{FinishedLong: 20, FailedLong: 10}, true},
		{"too few failures to say", endpointHealth{FinishedNow: 2, FailedNow: 1}, false},
		{"a flaky endpoint at its usual rate", endpointHealth{FinishedNow: 105, FailedNow: 28, FinishedBase: 2000, FailedBase: 520}, false},
		{"a flaky endpoint well above its usual rate", endpointHealth{FinishedNow: 105, FailedNow: 48, FinishedBase: 2000, FailedBase: 520}, true},
		{"above its rate, but its own baseline is too thin", endpointHealth{FinishedNow: 105, FailedNow: 48, FinishedBase: 20, FailedBase: 5}, false},
		{"failing where it never failed", endpointHealth{FinishedNow: 40, FailedNow: 4, FinishedBase: 400}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := endpointSuspect(&tt.r, cfg.Jobs.EndpointMin, cfg.MaxLogP); got != tt.want {
				t.Fatalf("endpointSuspect = %v, want %v", got, tt.want)
			}
		})
	}
}

// An endpoint is blamed only while the tenant's other endpoints of the job
// type deliver: all of them failing is the tenant's jobs failing (a retry
// storm's first minute looks so).
func TestEndpointFailingToo(t *testing.T) {
	ep := func(tenant, name string, finished, failed, long, failedLong uint64) endpointHealth {
		return endpointHealth{Cell: "cell-0", Tenant: tenant, JobType: "webhook.deliver", Endpoint: name,
			FinishedNow: finished, FailedNow: failed, FinishedLong: long, FailedLong: failedLong,
			FinishedBase: 140, FailedBase: 1}
	}
	tests := []struct {
		name string
		rows []endpointHealth
		long bool
		want bool
	}{
		{"the only endpoint", []endpointHealth{ep("t-1", "orders", 8, 7, 8, 7)}, false, false},
		{"the others deliver", []endpointHealth{ep("t-1", "orders", 8, 7, 8, 7), ep("t-1", "billing", 19, 0, 40, 0)}, false, false},
		{"the others fail too", []endpointHealth{ep("t-1", "orders", 8, 7, 8, 7), ep("t-1", "billing", 19, 7, 19, 7)}, false, true},
		{"the others fail too, over the long window", []endpointHealth{ep("t-1", "orders", 8, 7, 30, 20), ep("t-1", "billing", 3, 0, 40, 12)}, true, true},
		{"the others fail a little, as they do", []endpointHealth{ep("t-1", "orders", 8, 7, 8, 7), ep("t-1", "billing", 300, 5, 300, 5)}, false, false},
		{"another tenant's endpoints do not count", []endpointHealth{ep("t-1", "orders", 8, 7, 8, 7), ep("t-2", "billing", 19, 7, 19, 7)}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			if got := siblingTotals(tt.rows).failingToo(&tt.rows[0], tt.long, &cfg); got != tt.want {
				t.Fatalf("failingToo = %v, want %v", got, tt.want)
			}
		})
	}
}

// The long window is for quiet endpoints; one with enough recent deliveries
// that are as good as its baseline has recovered.
func TestEndpointRecovered(t *testing.T) {
	fast := []float32{300, 500, 900} // p10, p50, p90 in ms; the baseline p90 is 1 000
	tests := []struct {
		name  string
		short deliveries
		want  bool
	}{
		{"delivering well again", deliveries{finished: 8, q: fast}, true},
		{"failing as often as in its baseline", deliveries{finished: 50, failed: 1, q: fast}, true},
		{"too few deliveries to tell", deliveries{finished: 3, q: fast}, false},
		{"still failing", deliveries{finished: 8, failed: 4, q: fast}, false},
		{"still slow", deliveries{finished: 8, q: []float32{900, 1500, 2500}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := recovered(tt.short, 0.02, 1000, DefaultConfig().Jobs.EndpointMin); got != tt.want {
				t.Fatalf("recovered = %v, want %v", got, tt.want)
			}
		})
	}
}

// A failing endpoint must fail a tenth of its deliveries: 13 failed
// attempts of 176 against a 1.3% baseline are significant at the alarm's
// threshold (seed 43, a quiet run) but no incident to notify.
func TestEndpointMinimumFailureShare(t *testing.T) {
	cfg := DefaultConfig()
	cell := &jobTypeHealth{FinishedNow: 2000, FailedNow: 30, FinishedBase: 40000, FailedBase: 600}
	for _, tt := range []struct {
		failed  uint64
		failing bool
	}{{13, false}, {30, true}} {
		r := &endpointHealth{Tenant: "t-1", JobType: "webhook.deliver", Endpoint: "status-page",
			FinishedNow: 176, FailedNow: tt.failed, FinishedBase: 3500, FailedBase: 45}
		c, ok := endpointCandidate(r, cell, false, &cfg)
		if got := ok && !c.sustain; got != tt.failing {
			t.Errorf("%d of 176 failed: failing %v, want %v", tt.failed, got, tt.failing)
		}
	}
}
