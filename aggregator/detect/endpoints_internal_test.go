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
