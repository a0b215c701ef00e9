package detect

import (
	"fmt"
	"testing"
)

// How a tenant's retries rise decides what the storm detector does with
// it. Ten established tenants of a cell retry 5 times a window each (a
// cold tenant's prior is 5, so a storm needs 25 retries, a suspect 13),
// and most tenants barely retry (the cell's median is 1).
func TestClassifyRetries(t *testing.T) {
	cfg := DefaultConfig()
	rows := make([]tenantActivity, 0, 40)
	for i := range 10 {
		rows = append(rows, tenantActivity{Cell: "cell-1", Tenant: fmt.Sprintf("busy-%d", i), RetriesNow: 5, RetriesBase: 100})
	}
	for i := range 20 {
		rows = append(rows, tenantActivity{Cell: "cell-1", Tenant: fmt.Sprintf("quiet-%d", i), RetriesNow: 1, RetriesBase: 10})
	}
	// Another tenant of the cell storming: it is left out of the cell's
	// change, which it would otherwise multiply by 13.
	otherStorm := tenantActivity{Cell: "cell-1", Tenant: "other storm", RetriesNow: 1199, RetriesBase: 34}
	cases := []struct {
		row    tenantActivity
		others []tenantActivity
		want   retryRise
	}{
		// 17 s into a storm: 4.2x, a suspect only.
		{tenantActivity{Tenant: "starting", RetriesNow: 21, RetriesBase: 19}, nil, retryRise{suspect: true}},
		{tenantActivity{Tenant: "doubling", RetriesNow: 10, RetriesBase: 19}, nil, retryRise{}},
		{tenantActivity{Tenant: "storming", RetriesNow: 400, RetriesBase: 19}, nil, retryRise{suspect: true, full: true, significant: true}},
		// Forty-five minutes into a storm its baseline holds the storm: it
		// no longer rises, but retries far more than the cell's tenants.
		{tenantActivity{Tenant: "long storm", RetriesNow: 2635, RetriesBase: 39525}, nil, retryRise{sustain: true}},
		// A tenant that always retries much: the same, and it keeps open
		// only a finding it already has.
		{tenantActivity{Tenant: "chronic", RetriesNow: 60, RetriesBase: 1200}, nil, retryRise{sustain: true}},
		{tenantActivity{Tenant: "few", RetriesNow: 20, RetriesBase: 300}, nil, retryRise{}},
		// Four minutes into a storm, while another starts on its cell.
		{tenantActivity{Tenant: "storm beside a storm", RetriesNow: 2635, RetriesBase: 3355}, []tenantActivity{otherStorm}, retryRise{suspect: true, full: true, significant: true}},
		{tenantActivity{Tenant: "starting beside a storm", RetriesNow: 21, RetriesBase: 19}, []tenantActivity{otherStorm}, retryRise{suspect: true}},
	}
	for _, tc := range cases {
		tc.row.Cell = "cell-1"
		fleet := append(append(rows[:len(rows):len(rows)], tc.others...), tc.row)
		pe := newPeerExpectation(fleet, func(r *tenantActivity) float64 { return float64(r.RetriesNow) },
			func(r *tenantActivity) float64 { return float64(r.RetriesBase) }, cfg.Jobs.StormRatio)
		got := classifyRetries(&fleet[len(fleet)-1], pe, &cfg)
		got.row, got.expected = nil, 0
		if got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.row.Tenant, got, tc.want)
		}
	}
}

// With no tenant rising fully the detector marks its suspects and returns
// before any query.
func TestStormSuspectsWithoutAQuery(t *testing.T) {
	cfg := DefaultConfig()
	rows := make([]tenantActivity, 0, 11)
	for i := range 10 {
		rows = append(rows, tenantActivity{Cell: "cell-1", Tenant: fmt.Sprintf("t-%d", i), RetriesNow: 5, RetriesBase: 100})
	}
	rows = append(rows, tenantActivity{Cell: "cell-1", Tenant: "starting", RetriesNow: 21, RetriesBase: 19})
	e := &env{cfg: &cfg, tr: traffic{MinutesBase: 60, EventsBase: 1000}, activity: rows}
	cs, err := retryStorms(e)
	if err != nil || cs != nil {
		t.Fatalf("no tenant rises fully, got %v, %v", cs, err)
	}
	if !e.stormSuspects["starting"] || e.stormSuspects["t-0"] {
		t.Errorf("storm suspects %v, want only starting", e.stormSuspects)
	}
}
