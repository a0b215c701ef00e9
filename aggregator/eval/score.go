package eval

import (
	"sort"
	"time"

	"github.com/opswarehouse/opswarehouse/aggregator/finding"
	"github.com/opswarehouse/opswarehouse/ingest/sim"
)

// ScenarioScore is how the detectors did on one injected incident.
type ScenarioScore struct {
	Truth      sim.Truth
	Detected   bool
	Delay      time.Duration // first matching finding's first_seen minus the onset
	Attributed bool          // the first matching finding names every culprit field
	First      finding.Finding
}

// Score is an evaluation's scores.
type Score struct {
	Scenarios        []ScenarioScore
	Findings         int
	TrueFindings     int
	False            []finding.Finding
	CrossTenantFalse int
}

// match reports whether a finding reports a truth record: the same kind,
// first seen while the incident ran (or within grace after it ended), and
// naming at least one of its culprits.
func match(f finding.Finding, t sim.Truth, grace time.Duration) bool {
	if string(f.Kind) != t.FindingKind || f.FirstSeen.Before(t.Start) || f.FirstSeen.After(t.End.Add(grace)) {
		return false
	}
	for _, p := range culpritFields(f, t) {
		if p[0] != "" && p[0] == p[1] {
			return true
		}
	}
	return false
}

// culpritFields pairs each culprit field the truth names with the finding's.
func culpritFields(f finding.Finding, t sim.Truth) [][2]string {
	c, s := t.Culprit, f.Scope
	tenant := s.CulpritTenant
	if tenant == "" && len(s.Tenants) == 1 {
		tenant = s.Tenants[0]
	}
	var out [][2]string
	for _, p := range [][2]string{
		{c.Tenant, tenant}, {c.Cell, s.Cell}, {c.Version, s.Version}, {c.Host, s.Host},
		{c.Integration, s.Integration}, {c.JobType, s.JobType},
	} {
		if p[0] != "" {
			out = append(out, p)
		}
	}
	return out
}

// attributed reports whether a finding names every culprit field.
func attributed(f finding.Finding, t sim.Truth) bool {
	for _, p := range culpritFields(f, t) {
		if p[0] != p[1] {
			return false
		}
	}
	return true
}

// crossTenant kinds say a failure reaches beyond one tenant.
var crossTenant = map[finding.Kind]bool{
	finding.SystemWide: true, finding.Localized: true, finding.NewSignature: true, finding.Emerging: true,
}

// score matches findings (each the newest version of one finding) to the
// truth records.
func score(truth []sim.Truth, fs []finding.Finding, grace time.Duration) Score {
	sort.Slice(fs, func(i, j int) bool { return fs[i].FirstSeen.Before(fs[j].FirstSeen) })
	s := Score{Findings: len(fs)}
	matched := make([]bool, len(fs))
	for _, t := range truth {
		sc := ScenarioScore{Truth: t}
		for i, f := range fs {
			if !match(f, t, grace) {
				continue
			}
			matched[i] = true
			if !sc.Detected {
				sc.Detected, sc.First, sc.Delay, sc.Attributed = true, f, f.FirstSeen.Sub(t.Start), attributed(f, t)
			}
		}
		s.Scenarios = append(s.Scenarios, sc)
	}
	for i, f := range fs {
		if matched[i] {
			s.TrueFindings++
			continue
		}
		s.False = append(s.False, f)
		if crossTenant[f.Kind] && namesSingleTenantCulprit(f, truth, grace) {
			s.CrossTenantFalse++
		}
	}
	return s
}

// namesSingleTenantCulprit reports whether a finding was raised during a
// single-tenant failure and counts its tenant among those affected: the
// single-tenant failure reported as cross-tenant.
func namesSingleTenantCulprit(f finding.Finding, truth []sim.Truth, grace time.Duration) bool {
	for _, t := range truth {
		if t.FindingKind != string(finding.SingleTenant) || f.FirstSeen.Before(t.Start) || f.FirstSeen.After(t.End.Add(grace)) {
			continue
		}
		for _, tenant := range f.Scope.Tenants {
			if tenant == t.Culprit.Tenant {
				return true
			}
		}
	}
	return false
}

// Recall is the share of incidents detected.
func (s Score) Recall() float64 {
	n := 0
	for _, sc := range s.Scenarios {
		if sc.Detected {
			n++
		}
	}
	return frac(n, len(s.Scenarios))
}

// Precision is the share of findings that report an incident.
func (s Score) Precision() float64 { return frac(s.TrueFindings, s.Findings) }

// Attribution is the share of detected incidents whose first finding names
// every culprit.
func (s Score) Attribution() float64 {
	n, d := 0, 0
	for _, sc := range s.Scenarios {
		if sc.Detected {
			d++
			if sc.Attributed {
				n++
			}
		}
	}
	return frac(n, d)
}

// MedianDelay is the median detection delay over detected incidents.
func (s Score) MedianDelay() time.Duration {
	var ds []time.Duration
	for _, sc := range s.Scenarios {
		if sc.Detected {
			ds = append(ds, sc.Delay)
		}
	}
	if len(ds) == 0 {
		return 0
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	if n := len(ds); n%2 == 0 {
		return (ds[n/2-1] + ds[n/2]) / 2
	}
	return ds[len(ds)/2]
}

func frac(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}
