package detect

import (
	"fmt"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/opswarehouse/opswarehouse/aggregator/finding"
)

func TestCorrelate(t *testing.T) {
	const fpAuth, fpDecode = 11, 22
	poison := func(tenant, jobType string, fps ...uint64) candidate {
		c := candidate{fingerprints: fps}
		c.Kind, c.Key = finding.PoisonJob, "poison_job/"+tenant+","+jobType
		c.Scope.CulpritTenant, c.Scope.JobType, c.Scope.Cell = tenant, jobType, "cell-3"
		return c
	}
	pattern := func(tenant, jobType string, fp uint64) candidate {
		c := candidate{fingerprints: []uint64{fp}}
		c.Kind, c.Key = finding.SingleTenant, "failure_pattern.single_tenant/"+tenant
		c.Scope.CulpritTenant, c.Scope.JobType, c.Scope.Fingerprint = tenant, jobType, fp
		return c
	}
	sustained := func(c candidate) candidate { c.sustain = true; return c }
	crossTenant := func(kind finding.Kind, cell string, fp uint64) candidate {
		c := candidate{fingerprints: []uint64{fp}}
		c.Kind, c.Key = kind, fmt.Sprintf("%s/fingerprint=%d", kind, fp)
		c.Scope.Cell, c.Scope.Fingerprint = cell, fp
		return c
	}
	endpoint := func(tenant string, slowOnly bool) candidate {
		c := candidate{slowOnly: slowOnly}
		c.Kind, c.Key = finding.EndpointSlow, "tenant_endpoint_degraded/tenant="+tenant
		c.Scope.CulpritTenant, c.Scope.Cell = tenant, "cell-2"
		return c
	}
	var neighbour candidate
	neighbour.Kind, neighbour.Key = finding.NoisyNeighbour, "noisy_neighbour/cell=cell-2,tenant=t9"
	neighbour.Scope = finding.Scope{Cell: "cell-2", CulpritTenant: "t9", Tenants: []string{"t1", "t2"}}
	tests := []correlateCase{
		{"a noisy neighbour explains its victim's slow endpoint",
			[]candidate{endpoint("t1", true)}, []candidate{neighbour}, nil},
		{"not its victim's failing endpoint, nor another tenant's slow one",
			[]candidate{endpoint("t2", false), endpoint("t3", true)}, []candidate{neighbour},
			[]string{"tenant_endpoint_degraded/tenant=t2", "tenant_endpoint_degraded/tenant=t3"}},
		{"poison confined to its job type explains the tenant's pattern",
			[]candidate{poison("t1", "render", fpDecode), pattern("t1", "render", fpDecode)}, nil,
			[]string{"poison_job/t1,render"}},
		{"an open poison explains a later pattern of its errors",
			[]candidate{pattern("t1", "render", fpDecode)}, []candidate{poison("t1", "render", fpDecode)},
			nil},
		{"a pattern across job types explains a poison of the same errors",
			[]candidate{poison("t1", "export", fpAuth)}, []candidate{pattern("t1", "render", fpAuth)},
			nil},
		{"a pattern of other errors does not explain the poison",
			[]candidate{poison("t1", "export", fpDecode), pattern("t1", "render", fpAuth)}, nil,
			[]string{"poison_job/t1,export"}},
		{"another tenant's pattern explains nothing",
			[]candidate{poison("t1", "export", fpAuth), pattern("t2", "render", fpAuth)}, nil,
			[]string{"failure_pattern.single_tenant/t2", "poison_job/t1,export"}},
		{"sustaining evidence keeps an open finding",
			[]candidate{sustained(poison("t1", "render"))}, []candidate{poison("t1", "render")},
			[]string{"poison_job/t1,render"}},
		{"a poison job of a bad version's errors on its cell is the version's",
			[]candidate{poison("t1", "crm.sync", fpDecode)}, []candidate{crossTenant(finding.Localized, "cell-3", fpDecode)},
			nil},
		{"a poison job of an outage's errors is the outage's",
			[]candidate{poison("t1", "crm.sync", fpAuth), crossTenant(finding.SystemWide, "", fpAuth)}, nil,
			[]string{"failure_pattern.system_wide/fingerprint=11"}},
		{"a cross-tenant pattern on another cell explains nothing",
			[]candidate{poison("t1", "crm.sync", fpDecode)}, []candidate{crossTenant(finding.Localized, "cell-1", fpDecode)},
			[]string{"poison_job/t1,crm.sync"}},
		{"a poison job with errors of its own beyond the pattern's stays",
			[]candidate{poison("t1", "crm.sync", fpDecode, fpAuth)}, []candidate{crossTenant(finding.Localized, "cell-3", fpDecode)},
			[]string{"poison_job/t1,crm.sync"}},
		{"sustaining evidence opens nothing",
			[]candidate{sustained(poison("t1", "render"))}, nil,
			nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, _ := correlatedKeys(tt.cs, tt.open); !slices.Equal(got, tt.want) {
				t.Errorf("correlate kept %q, want %q", got, tt.want)
			}
		})
	}
}

// A bad version rolling onto a cell's hosts is first one host's pattern,
// then the cell's and the version's: one finding, widened.
func TestContinueOpen(t *testing.T) {
	const fpPanic, fpOther = 31, 32
	localized := func(fp uint64, cell, version, host string, tenants ...string) candidate {
		c := candidate{fingerprints: []uint64{fp}}
		c.Kind = finding.Localized
		c.Scope = finding.Scope{Cell: cell, Version: version, Host: host, Fingerprint: fp, Tenants: tenants}
		c.Key = patternKey(&c.Finding)
		return c
	}
	hostOnly := localized(fpPanic, "", "", "cell-2-h3", "t1", "t2")
	neighbour := func(level, resource, cell, tenant string) candidate {
		var c candidate
		c.Kind, c.Key = finding.NoisyNeighbour, "noisy_neighbour/"+level+"="+resource+",tenant="+tenant
		c.Scope.Cell, c.Scope.CulpritTenant = cell, tenant
		return c
	}
	onCell := neighbour("cell", "cell-2", "cell-2", "t5")
	// spread is a system-wide pattern naming no integration, whose errors
	// are mostly integration's.
	spread := func(fp uint64, integration string, tenants ...string) candidate {
		c := candidate{fingerprints: []uint64{fp}, integration: integration}
		c.Kind = finding.SystemWide
		c.Scope = finding.Scope{Fingerprint: fp, Tenants: tenants}
		c.Key = patternKey(&c.Finding)
		return c
	}
	ofIntegration := func(c candidate, integration string) candidate { c.integration = integration; return c }
	outage := candidate{fingerprints: []uint64{fpPanic}}
	outage.Kind, outage.Key = finding.SystemWide, "failure_pattern.system_wide/integration=sendgrid"
	outage.Scope = finding.Scope{Integration: "sendgrid", Fingerprint: fpPanic, Tenants: []string{"t1", "t2", "t3"}}
	tests := []correlateCase{
		{"an outage's error concentrated on the version its callers run continues the outage",
			[]candidate{localized(fpPanic, "", "v3.4.8", "", "t2", "t9")},
			[]candidate{outage},
			[]string{outage.Key}},
		{"another error of the outage's integration, spread over its tenants, continues the outage",
			[]candidate{spread(fpOther, "sendgrid", "t3", "t8")},
			[]candidate{outage},
			[]string{outage.Key}},
		{"another integration's error spread over tenants is another incident",
			[]candidate{spread(fpOther, "slack", "t3", "t8")},
			[]candidate{outage},
			[]string{spread(fpOther, "slack").Key}},
		{"an error spread over other tenants is another incident",
			[]candidate{spread(fpOther, "sendgrid", "t8", "t9")},
			[]candidate{outage},
			[]string{spread(fpOther, "").Key}},
		{"another error of the outage's integration concentrated on a version continues the outage",
			[]candidate{ofIntegration(localized(fpOther, "", "v3.4.8", "", "t2"), "sendgrid")},
			[]candidate{outage},
			[]string{outage.Key}},
		{"another error on that version is not the outage",
			[]candidate{localized(fpOther, "", "v3.4.8", "", "t2")},
			[]candidate{outage},
			[]string{"failure_pattern.localized/version=v3.4.8"}},
		{"the scope widens from a host to its cell and version",
			[]candidate{localized(fpPanic, "cell-2", "v3.4.8", "", "t1", "t2", "t3", "t4"),
				localized(fpOther, "cell-2", "v3.4.8", "", "t3")},
			[]candidate{hostOnly},
			[]string{hostOnly.Key, hostOnly.Key}},
		{"the finding's own key continues as it is",
			[]candidate{hostOnly, localized(fpPanic, "cell-2", "v3.4.8", "", "t1", "t9")},
			[]candidate{hostOnly},
			[]string{hostOnly.Key, hostOnly.Key}},
		{"another cell is another incident",
			[]candidate{localized(fpPanic, "cell-5", "", "cell-5-h1", "t1")},
			[]candidate{localized(fpPanic, "cell-2", "", "cell-2-h3", "t1")},
			[]string{"failure_pattern.localized/cell=cell-5,host=cell-5-h1"}},
		{"no tenant in common is another incident",
			[]candidate{localized(fpPanic, "cell-3", "v3.4.8", "", "t7")},
			[]candidate{hostOnly},
			[]string{"failure_pattern.localized/cell=cell-3,version=v3.4.8"}},
		{"another fingerprint does not continue it",
			[]candidate{localized(fpOther, "cell-2", "v3.4.8", "", "t1")},
			[]candidate{hostOnly},
			[]string{"failure_pattern.localized/cell=cell-2,version=v3.4.8"}},
		{"a neighbour found on one shard of its cell continues the cell's finding",
			[]candidate{neighbour("shard", "cell-2/cell-2-s1", "cell-2", "t5")},
			[]candidate{onCell},
			[]string{onCell.Key}},
		{"another aggressor on the cell is another finding",
			[]candidate{neighbour("shard", "cell-2/cell-2-s1", "cell-2", "t6")},
			[]candidate{onCell},
			[]string{"noisy_neighbour/shard=cell-2/cell-2-s1,tenant=t6"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, _ := correlatedKeys(tt.cs, tt.open); !slices.Equal(got, tt.want) {
				t.Errorf("keys %q, want %q", got, tt.want)
			}
		})
	}
}

// A retry storm that crowds its shard's queue is one incident: the storm,
// naming the tenants who wait.
func TestFoldNeighboursIntoStorms(t *testing.T) {
	storm := func(tenant, cell, jobType string) candidate {
		var c candidate
		c.Kind, c.Key = finding.RetryStorm, "retry_storm/tenant="+tenant
		c.Scope = finding.Scope{CulpritTenant: tenant, Tenants: []string{tenant}, Cell: cell, JobType: jobType}
		c.Summary = "tenant " + tenant + " retried"
		return c
	}
	neighbour := func(tenant, cell, jobType string, victims ...string) candidate {
		var c candidate
		c.Kind, c.Key = finding.NoisyNeighbour, "noisy_neighbour/shard="+cell+"/s2,tenant="+tenant
		c.Scope = finding.Scope{CulpritTenant: tenant, Tenants: victims, Cell: cell, JobType: jobType}
		c.Evidence = []finding.Evidence{{Name: "victims", Value: float64(len(victims))}}
		c.Summary = "tenant " + tenant + " took 68% of shard " + cell + "/s2"
		return c
	}
	tests := []struct {
		correlateCase
		wantTenants []string // the storm's, when it is kept
	}{
		{correlateCase{"the storm takes over its neighbour's victims",
			[]candidate{storm("t1", "cell-0", "sync"), neighbour("t1", "cell-0", "sync", "t7", "t8")}, nil,
			[]string{"retry_storm/tenant=t1"}}, []string{"t1", "t7", "t8"}},
		{correlateCase{"an open storm explains a later neighbour",
			[]candidate{neighbour("t1", "cell-0", "", "t7")}, []candidate{storm("t1", "cell-0", "sync")},
			nil}, nil},
		{correlateCase{"another tenant's neighbour stays",
			[]candidate{storm("t1", "cell-0", "sync"), neighbour("t2", "cell-0", "sync", "t7")}, nil,
			[]string{"noisy_neighbour/shard=cell-0/s2,tenant=t2", "retry_storm/tenant=t1"}}, []string{"t1"}},
		{correlateCase{"hogging with another job type is a second incident",
			[]candidate{storm("t1", "cell-0", "sync"), neighbour("t1", "cell-0", "export", "t7")}, nil,
			[]string{"noisy_neighbour/shard=cell-0/s2,tenant=t1", "retry_storm/tenant=t1"}}, []string{"t1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, kept := correlatedKeys(tt.cs, tt.open)
			var stormTenants []string
			for _, c := range kept {
				if c.Kind == finding.RetryStorm {
					stormTenants = c.Scope.Tenants
				}
			}
			if !slices.Equal(got, tt.want) || !slices.Equal(stormTenants, tt.wantTenants) {
				t.Errorf("kept %q, storm tenants %q; want %q, %q", got, stormTenants, tt.want, tt.wantTenants)
			}
		})
	}
}

// correlatedKeys correlates this tick's candidates with the open ones' findings
// and returns the kept candidates and their keys, sorted.
func correlatedKeys(cs, open []candidate) ([]string, []candidate) {
	var openFindings []finding.Finding
	for _, c := range open {
		openFindings = append(openFindings, c.Finding)
	}
	kept := correlate(cs, openFindings, time.Time{})
	var keys []string
	for _, c := range kept {
		keys = append(keys, c.Key)
	}
	sort.Strings(keys)
	return keys, kept
}

// correlateCase is this tick's candidates, the open findings (as
// candidates) and the keys correlation should keep, sorted.
type correlateCase struct {
	name string
	cs   []candidate
	open []candidate
	want []string
}

// An outage's finding keeps naming its integration when a tick's strongest
// error of it no longer stands out enough to name it, so the next tick's
// errors still find the integration to continue.
func TestContinuedOutageKeepsItsIntegration(t *testing.T) {
	var outage finding.Finding
	outage.Kind, outage.Key = finding.SystemWide, "failure_pattern.system_wide/integration=sendgrid"
	outage.Scope = finding.Scope{Integration: "sendgrid", Fingerprint: 1, Tenants: []string{"t1", "t2"}}
	c := candidate{fingerprints: []uint64{2}, integration: "sendgrid"}
	c.Kind = finding.SystemWide
	c.Scope = finding.Scope{Fingerprint: 2, Tenants: []string{"t2", "t3"}}
	c.Key = patternKey(&c.Finding)
	got := finish(correlate([]candidate{c}, []finding.Finding{outage}, time.Time{}), Tick{})
	if len(got) != 1 || got[0].Key != outage.Key || got[0].Scope.Integration != "sendgrid" {
		t.Fatalf("findings %+v, want the outage naming sendgrid", got)
	}
}

func TestOpenNoisyNeighbourKeepsItsJobType(t *testing.T) {
	open := finding.Finding{Kind: finding.NoisyNeighbour, Key: "noisy_neighbour/cell=cell-0,tenant=t27"}
	open.Scope = finding.Scope{Cell: "cell-0", CulpritTenant: "t27", JobType: "import.chunk"}
	later := func(key, tenant, jobType string) candidate {
		c := candidate{}
		c.Kind, c.Key = finding.NoisyNeighbour, key
		c.Scope = finding.Scope{Cell: "cell-0", CulpritTenant: tenant, JobType: jobType}
		return c
	}
	tests := []struct {
		name string
		c    candidate
		want string
	}{
		{"the incident filled the baseline: another job type grew most", later(open.Key, "t27", "report.export"), "import.chunk"},
		{"found on a shard of the cell: continues, keeps it", later("noisy_neighbour/shard=cell-0/s1,tenant=t27", "t27", "report.export"), "import.chunk"},
		{"another aggressor names its own", later("noisy_neighbour/cell=cell-0,tenant=t30", "t30", "report.export"), "report.export"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := correlate([]candidate{tt.c}, []finding.Finding{open}, time.Time{})
			if len(got) != 1 || got[0].Scope.JobType != tt.want {
				t.Fatalf("correlate = %+v, want one candidate naming %s", got, tt.want)
			}
		})
	}
}

// An open storm explains its tenant's noisy neighbour only while its
// retries go on: one last seen before the window is over, and a bulk
// import that crowds the cell afterwards is an incident of its own.
func TestStaleStormExplainsNoNeighbour(t *testing.T) {
	windowFrom := time.Date(2026, 3, 3, 14, 57, 0, 0, time.UTC)
	storm := finding.Finding{Kind: finding.RetryStorm, Key: "retry_storm/tenant=t1", LastSeen: windowFrom.Add(-3 * time.Minute)}
	storm.Scope = finding.Scope{CulpritTenant: "t1", Tenants: []string{"t1"}, Cell: "cell-0"}
	var nn candidate
	nn.Kind, nn.Key = finding.NoisyNeighbour, "noisy_neighbour/cell=cell-0,tenant=t1"
	nn.Scope = finding.Scope{CulpritTenant: "t1", Cell: "cell-0", JobType: "import.chunk", Tenants: []string{"t7"}}
	for _, tc := range []struct {
		name     string
		lastSeen time.Time
		want     int
	}{
		{"seen in the window: folded", windowFrom.Add(time.Minute), 0},
		{"last seen before the window: stays", windowFrom.Add(-3 * time.Minute), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := storm
			s.LastSeen = tc.lastSeen
			if got := correlate([]candidate{nn}, []finding.Finding{s}, windowFrom); len(got) != tc.want {
				t.Errorf("%d candidates kept, want %d", len(got), tc.want)
			}
		})
	}
}
