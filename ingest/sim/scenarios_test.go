package sim

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"
)

// testStart is a Tuesday morning: weekday load, the diurnal curve rising.
var testStart = time.Date(2026, 3, 3, 8, 0, 0, 0, time.UTC)

func scenarioTestConfig(specs ...string) Config {
	cfg := DefaultConfig()
	cfg.Mode = ModeBackfill
	cfg.Start = testStart
	cfg.Duration = 2*time.Hour + 5*time.Minute
	cfg.Tenants = 150
	cfg.Cells = 4
	cfg.Rate = 150
	cfg.Seed = 7
	cfg.Workers = 1
	cfg.Scenarios = specs
	return cfg
}

// runInMemory runs cfg into a MemStore and returns the store, the truth
// records written during the run and the simulator.
func runInMemory(tb testing.TB, cfg Config) (*MemStore, []Truth, *Simulator) {
	tb.Helper()
	s, err := New(cfg, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		tb.Fatal(err)
	}
	store := NewMemStore()
	var truth bytes.Buffer
	if err := s.Run(context.Background(), store, &truth); err != nil {
		tb.Fatal(err)
	}
	recs, err := ReadTruth(&truth)
	if err != nil {
		tb.Fatalf("reading the truth file back: %v", err)
	}
	return store, recs, s
}

var scenarioCases = []struct {
	spec    string
	finding string
	culprit func(Culprit) bool
}{
	{"bad_deploy@+60m/20m", FindingLocalized, func(c Culprit) bool { return c.Cell != "" && c.Version != "" && c.Tenant == "" }},
	{"third_party_outage@+60m/30m:integration=sendgrid", FindingSystemWide, func(c Culprit) bool { return c.Integration == "sendgrid" }},
	{"single_tenant_failure@+60m/45m", FindingSingleTenant, func(c Culprit) bool { return c.Tenant != "" && c.Integration != "" }},
	{"noisy_neighbour@+60m/30m:factor=4", FindingNoisyNeighbour, func(c Culprit) bool { return c.Tenant != "" && c.Cell != "" }},
	{"retry_storm@+60m/20m", FindingRetryStorm, func(c Culprit) bool { return c.Tenant != "" }},
	{"poison_job@+60m/60m", FindingPoisonJob, func(c Culprit) bool { return c.Tenant != "" && c.JobType != "" }},
	{"stuck_jobs@+60m/60m", FindingStuckJobs, func(c Culprit) bool { return c.Host != "" && c.Cell != "" }},
	{"request_flood@+60m/30m:multiplier=20", FindingRequestFlood, func(c Culprit) bool { return c.Tenant != "" }},
	{"error_creep@+60m/60m:ratio=0.6", FindingEmerging, func(c Culprit) bool { return c.Cell != "" && c.Host != "" }},
	{"slow_tenant_endpoint@+60m/40m:mode=slow", FindingEndpoint, func(c Culprit) bool { return c.Tenant != "" && c.JobType == "webhook.deliver" }},
	{"slow_tenant_endpoint@+60m/40m:mode=failing", FindingEndpoint, func(c Culprit) bool { return c.Tenant != "" && c.JobType == "webhook.deliver" }},
}

// TestScenarioSignatures injects each scenario alone and checks that the
// ground truth names it and that the event stream carries its signature.
// Then the same checks run on a baseline run without incidents and must
// fail: the signatures are the scenarios', not the fleet's.
func TestScenarioSignatures(t *testing.T) {
	ctx := context.Background()
	var truths []Truth
	for _, tc := range scenarioCases {
		t.Run(tc.spec, func(t *testing.T) {
			store, recs, s := runInMemory(t, scenarioTestConfig(tc.spec))
			if len(recs) != 1 {
				t.Fatalf("truth file has %d records, want 1: %+v", len(recs), recs)
			}
			tr := recs[0]
			sp, _ := ParseSpec(tc.spec)
			if tr.Scenario != sp.Name || tr.FindingKind != tc.finding {
				t.Errorf("truth names %s/%s, want %s/%s", tr.Scenario, tr.FindingKind, sp.Name, tc.finding)
			}
			if !tc.culprit(tr.Culprit) {
				t.Errorf("culprit %+v is not what %s blames", tr.Culprit, sp.Name)
			}
			if want := s.Start().Add(time.Hour); !tr.Start.Equal(want) || !tr.End.Equal(want.Add(sp.Duration)) {
				t.Errorf("window %s..%s, want %s + %s", tr.Start, tr.End, want, sp.Duration)
			}
			if len(tr.AffectedTenants) == 0 {
				t.Error("no affected tenants recorded")
			}
			if tr.Culprit.Tenant != "" && tc.finding != FindingNoisyNeighbour && (len(tr.AffectedTenants) != 1 || tr.AffectedTenants[0] != tr.Culprit.Tenant) {
				t.Errorf("a single-tenant incident affected %v", tr.AffectedTenants)
			}
			rep, err := CheckSignature(ctx, store, tr)
			if err != nil {
				t.Fatal(err)
			}
			t.Log(rep)
			if !rep.OK() {
				t.Errorf("signature missing:\n%s", rep)
			}
			truths = append(truths, tr)
		})
	}
	t.Run("baseline has none of the signatures", func(t *testing.T) {
		store, recs, _ := runInMemory(t, scenarioTestConfig())
		if len(recs) != 0 {
			t.Fatalf("baseline wrote %d truth records", len(recs))
		}
		for _, tr := range truths {
			rep, err := CheckSignature(ctx, store, tr)
			if err != nil {
				t.Fatal(err)
			}
			if rep.OK() {
				t.Errorf("the baseline passes the %s check:\n%s", tr.Scenario, rep)
			}
		}
	})
}
