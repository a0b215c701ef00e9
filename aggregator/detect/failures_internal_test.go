package detect

import (
	"fmt"
	"testing"

	"github.com/opswarehouse/opswarehouse/aggregator/finding"
)

// A pattern is led by the tenant holding at least half its excess: the
// single tenant's, or a wider pattern's (an endpoint's first minute of
// failures beside a few of the same errors elsewhere, seed 37), so a
// suspect tenant's pattern waits for the more specific detector.
func TestPatternLead(t *testing.T) {
	cfg := DefaultConfig()
	const scale = 0.0355 // a 3-minute window over an hour's baseline, traffic slightly down
	for _, tt := range []struct {
		name     string
		now      []float64 // errors in the window of tenants t-00, t-01, … on alternating cells
		kind     finding.Kind
		wantLead string
	}{
		{"an endpoint's first minute beside noise", []float64{22, 3, 2, 1, 1, 1, 1, 1, 1}, finding.SystemWide, "t-00"},
		{"one tenant alone", []float64{30, 1}, finding.SingleTenant, "t-00"},
		{"an outage", []float64{8, 7, 9, 6, 8, 7}, finding.SystemWide, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := pattern{now: dims{}, base: dims{}}
			var total float64
			for i, n := range tt.now {
				p.now.add(dimTenant, fmt.Sprintf("t-%02d", i), n)
				p.now.add(dimCell, fmt.Sprintf("cell-%d", i%2), n)
				total += n
			}
			for i := range 33 { // the fingerprint's usual ~100 errors an hour, ~3 per tenant
				tenant := fmt.Sprintf("t-%02d", i)
				p.base.add(dimTenant, tenant, 3)
				p.base.add(dimCell, fmt.Sprintf("cell-%d", i%2), 3)
			}
			ref := dims{}
			ref.add(dimCell, "cell-0", 500)
			ref.add(dimCell, "cell-1", 500)
			r := &fpRate{Fingerprint: 1, ErrorsNow: uint64(total), ErrorsBase: 99, TenantsNow: uint64(len(tt.now)), expected: 99 * scale}
			c, ok := classifyPattern(r, p, ref, scale, &cfg)
			if !ok || c.Kind != tt.kind || c.lead != tt.wantLead {
				t.Errorf("got %v %s led by %q, want %s led by %q", ok, c.Kind, c.lead, tt.kind, tt.wantLead)
			}
		})
	}
}

// A third-party outage's first minute: its errors are on the version most
// callers run only because most of the fleet runs it (confinement, lift
// 1), while they stand out on the integration. That is the integration's
// outage. A version that stands out itself, or an integration that does
// not, stays a localized pattern.
func TestOutageOnTheCommonVersion(t *testing.T) {
	cfg := DefaultConfig()
	const scale = 0.05
	for _, tt := range []struct {
		name                 string
		refVersion, refInteg float64 // the reference's share on version v9 and on sendgrid
		want                 finding.Kind
	}{
		{"outage: the version is everyone's, the integration stands out", 0.9, 0.03, finding.SystemWide},
		{"bad deploy: the version stands out", 0.2, 0.03, finding.Localized},
		{"on the common version, the integration does not stand out", 0.9, 0.9, finding.Localized},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := pattern{now: dims{}, base: dims{}}
			var total float64
			for i := range 10 {
				n := float64(30 + i)
				p.now.add(dimTenant, fmt.Sprintf("t-%02d", i), n)
				p.now.add(dimCell, fmt.Sprintf("cell-%d", i%2), n)
				p.now.add(dimVersion, "v9", n)
				p.now.add(dimIntegration, "sendgrid", n)
				total += n
			}
			ref := dims{}
			ref.add(dimCell, "cell-0", 500)
			ref.add(dimCell, "cell-1", 500)
			ref.add(dimVersion, "v9", 1000*tt.refVersion)
			ref.add(dimVersion, "v8", 1000*(1-tt.refVersion))
			ref.add(dimIntegration, "sendgrid", 1000*tt.refInteg)
			ref.add(dimIntegration, "", 1000*(1-tt.refInteg))
			r := &fpRate{Fingerprint: 1, ErrorsNow: uint64(total), TenantsNow: 10, expected: 0.5, isNew: true}
			c, ok := classifyPattern(r, p, ref, scale, &cfg)
			if !ok || c.Kind != tt.want {
				t.Fatalf("got %v %s %+v, want %s", ok, c.Kind, c.Scope, tt.want)
			}
			if tt.want == finding.SystemWide && c.Scope.Integration != "sendgrid" {
				t.Errorf("the outage names integration %q, want sendgrid", c.Scope.Integration)
			}
		})
	}
}

func TestFaintSpread(t *testing.T) {
	fc := DefaultConfig().Failures
	spread := func(integration string) *candidate {
		c := &candidate{}
		c.Kind, c.Scope.Integration = finding.SystemWide, integration
		return c
	}
	single := &candidate{}
	single.Kind = finding.SingleTenant
	for _, tt := range []struct {
		name   string
		c      *candidate
		errors uint64
		want   bool
	}{
		{"a background error's cluster at the minimum", spread(""), uint64(fc.MinErrors), true},
		{"twice the minimum", spread(""), 2 * uint64(fc.MinErrors), false},
		{"an integration's errors", spread("s3"), uint64(fc.MinErrors), false},
		{"one tenant's errors", single, uint64(fc.MinErrors), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := faintSpread(tt.c, &fpRate{ErrorsNow: tt.errors}, &fc); got != tt.want {
				t.Errorf("faintSpread = %v, want %v", got, tt.want)
			}
		})
	}
}
