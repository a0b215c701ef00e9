package detect

import (
	"slices"
	"sort"
	"testing"

	"github.com/opswarehouse/opswarehouse/aggregator/finding"
)

func TestCorrelate(t *testing.T) {
	const fpAuth, fpDecode = 11, 22
	poison := func(tenant, jobType string, fps ...uint64) candidate {
		c := candidate{fingerprints: fps}
		c.Kind, c.Key = finding.PoisonJob, "poison_job/"+tenant+","+jobType
		c.Scope.CulpritTenant, c.Scope.JobType = tenant, jobType
		return c
	}
	pattern := func(tenant, jobType string, fp uint64) candidate {
		c := candidate{fingerprints: []uint64{fp}}
		c.Kind, c.Key = finding.SingleTenant, "failure_pattern.single_tenant/"+tenant
		c.Scope.CulpritTenant, c.Scope.JobType, c.Scope.Fingerprint = tenant, jobType, fp
		return c
	}
	sustained := func(c candidate) candidate { c.sustain = true; return c }
	tests := []struct {
		name string
		cs   []candidate
		open []candidate
		want []string
	}{
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
		{"sustaining evidence opens nothing",
			[]candidate{sustained(poison("t1", "render"))}, nil,
			nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var open []finding.Finding
			for _, c := range tt.open {
				open = append(open, c.Finding)
			}
			var got []string
			for _, c := range correlate(tt.cs, open) {
				got = append(got, c.Key)
			}
			sort.Strings(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("correlate kept %q, want %q", got, tt.want)
			}
		})
	}
}
