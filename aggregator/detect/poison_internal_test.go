package detect

import (
	"testing"

	"github.com/opswarehouse/opswarehouse/aggregator/finding"
)

// A poison payload fails only its own job type; the same errors in the
// tenant's other job types are the tenant's integration failing.
func TestPoisonErrorsSpreadToOtherJobTypes(t *testing.T) {
	const fp, other = uint64(7), uint64(9)
	row := func(tenant, jobType string, fingerprint, errors uint64) tenantJobErrors {
		return tenantJobErrors{Tenant: tenant, JobType: jobType, Fingerprint: fingerprint, Errors: errors}
	}
	for _, tt := range []struct {
		name string
		rows []tenantJobErrors
		want bool
	}{
		{"only its own job type", []tenantJobErrors{row("t-1", "report.export", fp, 10)}, false},
		{"one stray error elsewhere", []tenantJobErrors{row("t-1", "report.export", fp, 5), row("t-1", "thumbnail.render", fp, 1)}, false},
		{"a revoked credential fails two job types", []tenantJobErrors{row("t-1", "report.export", fp, 5), row("t-1", "thumbnail.render", fp, 3)}, true},
		{"a trickle beside a flood of poison", []tenantJobErrors{row("t-1", "report.export", fp, 40), row("t-1", "thumbnail.render", fp, 3)}, false},
		{"other fingerprints elsewhere", []tenantJobErrors{row("t-1", "report.export", fp, 5), row("t-1", "thumbnail.render", other, 30)}, false},
		{"the same errors at another tenant", []tenantJobErrors{row("t-1", "report.export", fp, 5), row("t-2", "thumbnail.render", fp, 30)}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			je := jobErrors{}
			for _, r := range tt.rows {
				k := [2]string{r.Tenant, r.JobType}
				je[k] = append(je[k], r)
			}
			c := &candidate{Finding: finding.Finding{Scope: finding.Scope{CulpritTenant: "t-1", JobType: "report.export"}}, fingerprints: []uint64{fp}}
			if got := je.spread(c); got != tt.want {
				t.Errorf("spread = %v, want %v", got, tt.want)
			}
		})
	}
}
