package detect

import (
	"math"
	"slices"
	"strings"

	"github.com/opswarehouse/opswarehouse/queries"
)

// resourceUsual is a tenant's usual minute on a shared resource.
type resourceUsual struct {
	Level             string  `ch:"level"`
	Resource          string  `ch:"resource"`
	Tenant            string  `ch:"tenant"`
	Starts            float64 `ch:"starts"`
	BusyMs            float64 `ch:"busy_ms"`
	CPUDBMs           float64 `ch:"cpu_db_ms"`
	WaitPerStart      float64 `ch:"wait_per_start_ms"`
	Requests          float64 `ch:"requests"`
	LatencyPerRequest float64 `ch:"latency_per_request_ms"`
	Minutes           uint64  `ch:"minutes"`
}

// sustainedNeighbours judges the resources where a tenant holds a large
// share now once more, against each tenant's usual minute over the history
// instead of the recent baseline. After about a baseline's length a long
// incident is its own baseline: the aggressor's share no longer grows and
// its victims wait as long as a while ago. The median minute of a history
// the incident fills less than half of still holds the usual level, as for
// long patterns and floods. These candidates only continue an open finding,
// unless the victims are also worse off than in the recent baseline: then
// the contention is new, and the aggressor's share did not grow against
// that baseline only because the baseline holds an earlier incident of
// the same tenant (a retry storm, then a bulk import).
func sustainedNeighbours(e *env, now map[[2]string][]resourceUsage) ([]candidate, error) {
	large := largeShareResources(now, e.cfg.Neighbours.MinShare)
	if len(large) == 0 {
		return nil, nil
	}
	// restDegraded compares a shard or queue with the rest of its cell, so
	// every resource of those cells is judged again, not only the large.
	resources := resourcesOfCells(now, large)
	start, historyMinutes, err := e.usualHistory()
	if err != nil || historyMinutes == 0 || !start.Before(e.t.BaseFrom) {
		return nil, err
	}
	usual := map[[3]string]resourceUsual{}
	args := []queries.Arg{queries.Named("resources", resources), queries.Named("from", start), queries.Named("window_from", e.t.WindowFrom)}
	err = each(e.ctx, e.q, "detect_resource_usual", args, func(u *resourceUsual) {
		usual[[3]string{u.Level, u.Resource, u.Tenant}] = *u
	})
	if err != nil {
		return nil, err
	}
	baseMinutes := e.cfg.Baseline.Minutes()
	byRes := map[[2]string][]resourceUsage{}
	for k, rows := range now {
		if !slices.Contains(resources, k[1]) {
			continue
		}
		for _, r := range rows {
			u, ok := usual[[3]string{k[0], k[1], r.Tenant}]
			byRes[k] = append(byRes[k], againstUsual(r, u, ok && 2*float64(u.Minutes) >= historyMinutes, baseMinutes))
		}
	}
	out := judgeResources(byRes, e.cfg)
	for i := range out {
		out[i].sustain = !victimsDegraded(now[out[i].resource], out[i].Scope.CulpritTenant, &e.cfg.Neighbours)
	}
	return out, nil
}

// victimsDegraded reports whether enough of the other tenants on a
// resource are served worse than in the recent baseline.
func victimsDegraded(rows []resourceUsage, aggressor string, nc *NeighbourConfig) bool {
	victims, measured := findVictims(rows, aggressor, nc)
	return len(victims) >= nc.MinVictims && float64(len(victims)) >= nc.VictimShare*float64(measured)
}

// againstUsual replaces r's baseline with its usual minute times the
// baseline's minutes. A tenant without a usual level (seen in fewer than
// half the history's minutes) gets an empty baseline: a new heavy user is
// judged as one, and it is not measured as a victim.
func againstUsual(r resourceUsage, u resourceUsual, known bool, minutes float64) resourceUsage {
	r.StartsBase, r.BusyMsBase, r.CPUDBMsBase, r.WaitMsBase, r.RequestsBase, r.LatencyBase = 0, 0, 0, 0, 0, 0
	if !known {
		return r
	}
	r.StartsBase = uint64(math.Round(finite(u.Starts) * minutes))
	r.BusyMsBase = finite(u.BusyMs) * minutes
	r.CPUDBMsBase = finite(u.CPUDBMs) * minutes
	r.WaitMsBase = finite(u.WaitPerStart) * float64(r.StartsBase)
	r.RequestsBase = uint64(math.Round(finite(u.Requests) * minutes))
	r.LatencyBase = finite(u.LatencyPerRequest) * float64(r.RequestsBase)
	return r
}

// largeShareResources returns the resources on which a tenant holds at
// least minShare of some consumption in the window.
func largeShareResources(byRes map[[2]string][]resourceUsage, minShare float64) []string {
	var out []string
	for k, rows := range byRes {
		for _, m := range consumption {
			var total, top float64
			for i := range rows {
				v := m.now(&rows[i])
				total += v
				top = max(top, v)
			}
			if total > 0 && top >= minShare*total {
				out = append(out, k[1])
				break
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// resourcesOfCells returns every resource in byRes that lies in the cell
// of one of resources (the cell itself included).
func resourcesOfCells(byRes map[[2]string][]resourceUsage, resources []string) []string {
	cells := map[string]bool{}
	for _, r := range resources {
		cell, _, _ := strings.Cut(r, "/")
		cells[cell] = true
	}
	var out []string
	for k := range byRes {
		if cell, _, _ := strings.Cut(k[1], "/"); cells[cell] {
			out = append(out, k[1])
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func finite(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}
