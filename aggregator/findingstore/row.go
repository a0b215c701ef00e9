package findingstore

import (
	"time"

	"github.com/opswarehouse/opswarehouse/aggregator/finding"
)

// row is a finding as the findings table stores it.
type row struct {
	Key            string    `ch:"finding_key"`
	Kind           string    `ch:"kind"`
	Severity       string    `ch:"severity"`
	State          string    `ch:"state"`
	FirstSeen      time.Time `ch:"first_seen"`
	LastSeen       time.Time `ch:"last_seen"`
	UpdatedAt      time.Time `ch:"updated_at"`
	Tenants        []string  `ch:"tenants"`
	CulpritTenant  string    `ch:"culprit_tenant"`
	Cell           string    `ch:"cell"`
	Service        string    `ch:"service"`
	Version        string    `ch:"version"`
	Host           string    `ch:"host"`
	JobType        string    `ch:"job_type"`
	Integration    string    `ch:"integration"`
	Fingerprint    uint64    `ch:"fingerprint"`
	Template       string    `ch:"template"`
	Summary        string    `ch:"summary"`
	EvidenceNames  []string  `ch:"evidence_names"`
	EvidenceValues []float64 `ch:"evidence_values"`
}

func toRow(f finding.Finding) row {
	r := row{
		Key: f.Key, Kind: string(f.Kind), Severity: string(f.Severity), State: string(f.State),
		FirstSeen: f.FirstSeen.UTC(), LastSeen: f.LastSeen.UTC(), UpdatedAt: f.UpdatedAt.UTC(),
		Tenants: f.Scope.Tenants, CulpritTenant: f.Scope.CulpritTenant, Cell: f.Scope.Cell, Service: f.Scope.Service,
		Version: f.Scope.Version, Host: f.Scope.Host, JobType: f.Scope.JobType, Integration: f.Scope.Integration,
		Fingerprint: f.Scope.Fingerprint, Template: f.Scope.Template, Summary: f.Summary,
		EvidenceNames: make([]string, len(f.Evidence)), EvidenceValues: make([]float64, len(f.Evidence)),
	}
	if r.Tenants == nil {
		r.Tenants = []string{}
	}
	for i, e := range f.Evidence {
		r.EvidenceNames[i], r.EvidenceValues[i] = e.Name, e.Value
	}
	return r
}

func (r row) finding() finding.Finding {
	f := finding.Finding{
		Key: r.Key, Kind: finding.Kind(r.Kind), Severity: finding.Severity(r.Severity), State: finding.State(r.State),
		FirstSeen: r.FirstSeen.UTC(), LastSeen: r.LastSeen.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Summary: r.Summary,
		Scope: finding.Scope{
			Tenants: r.Tenants, CulpritTenant: r.CulpritTenant, Cell: r.Cell, Service: r.Service, Version: r.Version,
			Host: r.Host, JobType: r.JobType, Integration: r.Integration, Fingerprint: r.Fingerprint, Template: r.Template,
		},
	}
	for i, n := range r.EvidenceNames {
		if i < len(r.EvidenceValues) {
			f.Evidence = append(f.Evidence, finding.Evidence{Name: n, Value: r.EvidenceValues[i]})
		}
	}
	return f
}
