package detect

import (
	"fmt"
	"sort"
	"strings"

	"github.com/opswarehouse/opswarehouse/aggregator/finding"
)

// resourceUsage is one tenant's use of a shared resource and the service
// it got.
type resourceUsage struct {
	Level        string  `ch:"level"`
	Resource     string  `ch:"resource"`
	Tenant       string  `ch:"tenant"`
	StartsNow    uint64  `ch:"starts_now"`
	StartsBase   uint64  `ch:"starts_base"`
	BusyMsNow    float64 `ch:"busy_ms_now"`
	BusyMsBase   float64 `ch:"busy_ms_base"`
	CPUDBMsNow   float64 `ch:"cpu_db_ms_now"`
	CPUDBMsBase  float64 `ch:"cpu_db_ms_base"`
	WaitMsNow    float64 `ch:"wait_ms_now"`
	WaitMsBase   float64 `ch:"wait_ms_base"`
	RequestsNow  uint64  `ch:"requests_now"`
	RequestsBase uint64  `ch:"requests_base"`
	LatencyNow   float64 `ch:"latency_ms_now"`
	LatencyBase  float64 `ch:"latency_ms_base"`
}

// consumption metrics a tenant can hog a resource with.
var consumption = []struct {
	name      string
	now, base func(*resourceUsage) float64
}{
	{"job_starts", func(r *resourceUsage) float64 { return float64(r.StartsNow) }, func(r *resourceUsage) float64 { return float64(r.StartsBase) }},
	{"busy_ms", func(r *resourceUsage) float64 { return r.BusyMsNow }, func(r *resourceUsage) float64 { return r.BusyMsBase }},
	{"cpu_db_ms", func(r *resourceUsage) float64 { return r.CPUDBMsNow }, func(r *resourceUsage) float64 { return r.CPUDBMsBase }},
	{"queue_occupancy_ms", func(r *resourceUsage) float64 { return r.WaitMsNow }, func(r *resourceUsage) float64 { return r.WaitMsBase }},
}

// noisyNeighbours finds, per shared resource (a cell, a cell's shard, a
// cell's queue), a tenant whose share of the resource's consumption has
// grown to a large part of it while the other tenants on it wait longer in
// queues (or get slower responses) than in their own baselines. It names
// the aggressor, the victims and the magnitudes. A cell-wide finding
// replaces narrower ones for the same aggressor.
func noisyNeighbours(e *env) ([]candidate, error) {
	if !e.warm() {
		return nil, nil
	}
	byRes := map[[2]string][]resourceUsage{}
	err := each(e.ctx, e.q, "detect_resource_usage", e.t.windowArgs(), func(r *resourceUsage) {
		k := [2]string{r.Level, r.Resource}
		byRes[k] = append(byRes[k], *r)
	})
	if err != nil {
		return nil, err
	}
	out := judgeResources(byRes, e.cfg)
	sustained, err := sustainedNeighbours(e, byRes)
	if err != nil {
		return nil, err
	}
	out = append(out, sustained...)
	if err := e.aggressorJobTypes(out); err != nil {
		return nil, err
	}
	return out, nil
}

// judgeResources finds the noisy neighbours among the resources, widest
// level first.
func judgeResources(byRes map[[2]string][]resourceUsage, cfg *Config) []candidate {
	var out []candidate
	cellAggressors := map[string]bool{}
	for _, level := range []string{"cell", "shard", "queue"} {
		for k, rows := range byRes {
			if k[0] != level {
				continue
			}
			c, ok := neighbourCandidate(level, k[1], rows, &cfg.Neighbours, cfg.MaxLogP)
			if !ok || (level != "cell" && (cellAggressors[c.Scope.Cell+"/"+c.Scope.CulpritTenant] ||
				restDegraded(byRes, level, k[1], c.Scope.CulpritTenant, &cfg.Neighbours))) {
				continue
			}
			if level == "cell" {
				cellAggressors[c.Scope.Cell+"/"+c.Scope.CulpritTenant] = true
			}
			out = append(out, c)
		}
	}
	return out
}

// restDegraded reports whether the other resources of the same level in
// the resource's cell are degraded as well: then the contention is the
// cell's, not the shard's or queue's, and a narrower finding would only
// blame whichever tenant happens to be busiest there.
func restDegraded(byRes map[[2]string][]resourceUsage, level, resource, aggressor string, nc *NeighbourConfig) bool {
	cell, _, _ := strings.Cut(resource, "/")
	var rest []resourceUsage
	for k, rows := range byRes {
		if k[0] == level && k[1] != resource && strings.HasPrefix(k[1], cell+"/") {
			rest = append(rest, rows...)
		}
	}
	return victimsDegraded(rest, aggressor, nc)
}

// aggressor is the tenant whose consumption share grew the most.
type aggressor struct {
	tenant           string
	metric           string
	share, baseShare float64
}

// findAggressor returns the tenant whose share of some consumption metric
// grew the most, to at least MinShare and by at least MinShareGrowth, and
// whose job starts rose significantly against its peers' change (so a
// share that wobbles on a few jobs is not an aggressor).
func findAggressor(rows []resourceUsage, nc *NeighbourConfig, maxLogP float64) (aggressor, bool) {
	var best aggressor
	var bestGrowth float64
	var startsNow, startsBase float64
	for i := range rows {
		startsNow += float64(rows[i].StartsNow)
		startsBase += float64(rows[i].StartsBase)
	}
	rose := func(r *resourceUsage) bool {
		n, b := float64(r.StartsNow), float64(r.StartsBase)
		exp := (b + 0.5) * ratio(startsNow-n, startsBase-b)
		return logPoissonTail(n, exp) <= maxLogP
	}
	for _, m := range consumption {
		var totNow, totBase float64
		for i := range rows {
			totNow += m.now(&rows[i])
			totBase += m.base(&rows[i])
		}
		if totNow <= 0 || totBase <= 0 {
			continue
		}
		for i := range rows {
			share := m.now(&rows[i]) / totNow
			base := (m.base(&rows[i]) + 0.01*totBase/float64(len(rows))) / totBase
			if g := share / base; share >= nc.MinShare && g >= nc.MinShareGrowth && g > bestGrowth && rose(&rows[i]) {
				best, bestGrowth = aggressor{rows[i].Tenant, m.name, share, base}, g
			}
		}
	}
	return best, best.tenant != ""
}

// victim is a tenant served worse than in its own baseline.
type victim struct {
	tenant string
	factor float64 // mean queue time (or latency) now over baseline
}

func findVictims(rows []resourceUsage, aggressor string, nc *NeighbourConfig) (victims []victim, measured int) {
	for i := range rows {
		r := &rows[i]
		if r.Tenant == aggressor {
			continue
		}
		// mean queue time of its job starts (or mean latency of its
		// requests) now over its own baseline mean
		var f float64
		switch {
		case r.StartsNow >= nc.MinStarts && r.StartsBase >= nc.MinStarts && r.WaitMsBase > 0:
			f = (r.WaitMsNow / float64(r.StartsNow)) / (r.WaitMsBase / float64(r.StartsBase))
		case r.RequestsNow >= 4*nc.MinStarts && r.RequestsBase >= 4*nc.MinStarts && r.LatencyBase > 0:
			f = (r.LatencyNow / float64(r.RequestsNow)) / (r.LatencyBase / float64(r.RequestsBase))
		default:
			continue
		}
		measured++
		if f >= nc.MinDegradation {
			victims = append(victims, victim{r.Tenant, f})
		}
	}
	sort.Slice(victims, func(i, j int) bool { return victims[i].tenant < victims[j].tenant })
	return victims, measured
}

func neighbourCandidate(level, resource string, rows []resourceUsage, nc *NeighbourConfig, maxLogP float64) (candidate, bool) {
	agg, ok := findAggressor(rows, nc, maxLogP)
	if !ok {
		return candidate{}, false
	}
	victims, measured := findVictims(rows, agg.tenant, nc)
	if len(victims) < nc.MinVictims || float64(len(victims)) < nc.VictimShare*float64(measured) {
		return candidate{}, false
	}
	factors := make([]float64, len(victims))
	names := make([]string, len(victims))
	for i, v := range victims {
		factors[i], names[i] = v.factor, v.tenant
	}
	med := median(factors)
	c := candidate{weight: float64(len(victims)), resource: [2]string{level, resource}}
	f := &c.Finding
	f.Kind, f.Severity = finding.NoisyNeighbour, finding.Warning
	if med >= 2*nc.MinDegradation {
		f.Severity = finding.Critical
	}
	cell, _, _ := strings.Cut(resource, "/")
	f.Scope.Cell, f.Scope.CulpritTenant, f.Scope.Tenants = cell, agg.tenant, names
	f.Evidence = []finding.Evidence{
		{Name: "aggressor_share", Value: round(agg.share, 3)}, {Name: "aggressor_share_base", Value: round(agg.baseShare, 3)},
		{Name: "victims", Value: float64(len(victims))}, {Name: "tenants_measured", Value: float64(measured)},
		{Name: "victim_degradation_median", Value: round(med, 2)},
	}
	f.Summary = fmt.Sprintf("tenant %s took %.0f%% of %s %s's %s (baseline %.0f%%); %d of %d other tenants there wait %.1f× longer (median) than in their baseline",
		agg.tenant, 100*agg.share, level, resource, agg.metric, 100*agg.baseShare, len(victims), measured, med)
	f.Key = fmt.Sprintf("%s/%s=%s,tenant=%s", f.Kind, level, resource, agg.tenant)
	return c, true
}

// aggressorJobTypes names the job type behind each aggressor's growth on
// its cell: the one whose busy time grew the most.
func (e *env) aggressorJobTypes(cs []candidate) error {
	if len(cs) == 0 {
		return nil
	}
	rows, err := e.jobOutcomes()
	if err != nil {
		return err
	}
	scale := ratio(e.cfg.Window.Minutes(), e.cfg.Baseline.Minutes())
	for i := range cs {
		var best string
		var bestGrowth float64
		for _, r := range rows {
			if r.Tenant != cs[i].Scope.CulpritTenant || r.Cell != cs[i].Scope.Cell {
				continue
			}
			if g := r.RunMsNow - r.RunMsBase*scale; g > bestGrowth {
				best, bestGrowth = r.JobType, g
			}
		}
		cs[i].Scope.JobType = best
	}
	return nil
}
