package eval

import (
	"testing"
	"time"

	"github.com/opswarehouse/opswarehouse/aggregator/finding"
	"github.com/opswarehouse/opswarehouse/ingest/sim"
)

var onset = time.Date(2026, 3, 3, 12, 0, 30, 0, time.UTC)

func at(min int) time.Time { return onset.Truncate(time.Minute).Add(time.Duration(min) * time.Minute) }

func TestScore(t *testing.T) {
	truth := []sim.Truth{
		{Scenario: "single_tenant_failure", FindingKind: string(finding.SingleTenant), Start: onset, End: onset.Add(30 * time.Minute),
			Culprit: sim.Culprit{Tenant: "t-1", Integration: "sendgrid"}},
		{Scenario: "bad_deploy", FindingKind: string(finding.Localized), Start: onset.Add(time.Hour), End: onset.Add(80 * time.Minute),
			Culprit: sim.Culprit{Cell: "cell-2", Version: "v9"}},
		{Scenario: "request_flood", FindingKind: string(finding.RequestFlood), Start: onset.Add(2 * time.Hour), End: onset.Add(130 * time.Minute),
			Culprit: sim.Culprit{Tenant: "t-7"}},
	}
	fs := []finding.Finding{
		// detected 90 s after onset, fully attributed
		{Key: "a", Kind: finding.SingleTenant, FirstSeen: at(2), Scope: finding.Scope{CulpritTenant: "t-1", Integration: "sendgrid"}},
		// the same incident reported cross-tenant: false, and counted as such
		{Key: "b", Kind: finding.SystemWide, FirstSeen: at(3), Scope: finding.Scope{Tenants: []string{"t-1", "t-2"}}},
		// right kind and cell, wrong version: detected, attribution wrong
		{Key: "c", Kind: finding.Localized, FirstSeen: at(62), Scope: finding.Scope{Cell: "cell-2", Version: "v8"}},
		// right kind, wrong tenant: false
		{Key: "d", Kind: finding.RequestFlood, FirstSeen: at(121), Scope: finding.Scope{CulpritTenant: "t-8"}},
		// before the onset: false
		{Key: "e", Kind: finding.RequestFlood, FirstSeen: at(100), Scope: finding.Scope{CulpritTenant: "t-7"}},
	}
	s := score(truth, fs, 10*time.Minute)
	if got := s.Recall(); got != 2.0/3 {
		t.Errorf("recall %v, want 2/3", got)
	}
	if got := s.Precision(); got != 2.0/5 {
		t.Errorf("precision %v, want 2/5", got)
	}
	if got := s.Attribution(); got != 0.5 {
		t.Errorf("attribution %v, want 1/2", got)
	}
	if s.CrossTenantFalse != 1 {
		t.Errorf("cross-tenant false %d, want 1", s.CrossTenantFalse)
	}
	if d := s.Scenarios[0].Delay; d != 90*time.Second {
		t.Errorf("delay %s, want 90s", d)
	}
	if got := s.MedianDelay(); got != 90*time.Second {
		t.Errorf("median delay %s", got)
	}
	want := "RESULT scenarios=3 recall=0.67 precision=0.40 attribution=0.50 median_delay_s=90 cross_tenant_false=1"
	if got := (Result{Score: s}).Line(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestPinnedSpec(t *testing.T) {
	tr := sim.Truth{Scenario: "retry_storm", Start: onset, End: onset.Add(20 * time.Minute),
		Params: sim.Params{Tenant: "t-0195", ErrorRate: 0.9, Backoff: sim.Duration(500 * time.Millisecond), RetryLimit: 25,
			Template: "storm.lock", ErrorClass: "LockNotAcquired", MessagePrefix: "could not acquire job lock "}}
	got, err := pinnedSpec(tr)
	if err != nil {
		t.Fatal(err)
	}
	want := "retry_storm@2026-03-03T12:00:30Z/20m0s:tenant=t-0195,error_rate=0.9,backoff=500ms,retry_limit=25,template=storm.lock"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
